/**
 * Certificates made at test time with Debian's openssl (no private key is committed): a small CA, then leaves for
 * a domain, valid now or expired, and a key of another certificate. EC keys: quick to make.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface Pair {
  readonly certificate: string
  readonly key: string
}

const openssl = (dir: string, args: ReadonlyArray<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })

const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/** A fresh CA in a temporary directory, and a function that issues leaves from it. */
export const makeCa = () => {
  const dir = mkdtempSync(join(tmpdir(), "cdn-certs-"))
  writeFileSync(
    join(dir, "ca.cnf"),
    `[ ca ]\ndefault_ca = local\n[ local ]\ndir = .\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[ any ]\ncommonName = supplied\n`
  )
  writeFileSync(join(dir, "index.txt"), "")
  writeFileSync(join(dir, "serial"), "1000\n")
  openssl(dir, ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=test-ca", "-days", "3650"])
  let n = 0
  /** A leaf for `domain`, valid from `start` to `end` (openssl's YYYYMMDDHHMMSSZ). */
  const issue = (domain: string, start: string, end: string, keyKind: ReadonlyArray<string> = ec): Pair => {
    n += 1
    const name = `leaf${n}`
    openssl(dir, [
      "req",
      ...keyKind,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${domain}`,
      "-addext",
      `subjectAltName=DNS:${domain}`
    ])
    openssl(dir, [
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-keyfile",
      "ca.key",
      "-cert",
      "ca.crt",
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.crt`,
      "-startdate",
      start,
      "-enddate",
      end,
      "-notext"
    ])
    return {
      certificate: `${readFileSync(join(dir, `${name}.crt`), "utf8")}${readFileSync(join(dir, "ca.crt"), "utf8")}`,
      key: readFileSync(join(dir, `${name}.key`), "utf8")
    }
  }
  const stamp = (at: Date) => `${at.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`
  const day = 86_400_000
  return {
    dir,
    /** Valid from yesterday for a year. */
    valid: (domain: string) =>
      issue(domain, stamp(new Date(Date.now() - day)), stamp(new Date(Date.now() + 365 * day))),
    /** Valid for a year from the day before `at` (a test's clock). */
    validAt: (domain: string, at: Date) =>
      issue(domain, stamp(new Date(at.getTime() - day)), stamp(new Date(at.getTime() + 365 * day))),
    /** Valid from yesterday for a year, with an RSA key. */
    validRsa: (domain: string) =>
      issue(domain, stamp(new Date(Date.now() - day)), stamp(new Date(Date.now() + 365 * day)), [
        "-newkey",
        "rsa:2048",
        "-nodes"
      ]),
    /** The same key in its traditional form: PKCS#1 for RSA (`BEGIN RSA PRIVATE KEY`), SEC1 for EC. */
    traditional: (pair: Pair): Pair => {
      n += 1
      writeFileSync(join(dir, `in${n}.key`), pair.key)
      openssl(dir, ["pkey", "-in", `in${n}.key`, "-traditional", "-out", `out${n}.key`])
      return { certificate: pair.certificate, key: readFileSync(join(dir, `out${n}.key`), "utf8") }
    },
    /** Valid for a month, two years ago. */
    expired: (domain: string) =>
      issue(domain, stamp(new Date(Date.now() - 730 * day)), stamp(new Date(Date.now() - 700 * day)))
  }
}
