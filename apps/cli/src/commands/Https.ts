/**
 * `azcdn https upload|bind|renew`: certificates on the CDN without a person in the portal. `renew` checks the
 * certificate and key, uploads them once, binds them to each endpoint, waits, and reports; with `--certbot` it reads
 * certbot's deploy-hook environment and binds to every endpoint whose domain the certificate covers:
 * `certbot renew --deploy-hook "azcdn https renew --certbot --subscription S"`.
 */
import { join } from "node:path"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { FileSystem } from "@effect/platform/FileSystem"
import { CdnClient } from "@org/cdn-core/CdnClient"
import { type Endpoint, isHostName } from "@org/cdn-core/Endpoints"
import { bounded } from "@org/cdn-core/Errors"
import * as Https from "@org/cdn-core/Https"
import { isGuid } from "@org/cdn-core/Ids"
import { Clock, Console, Effect, Either, Option, Redacted, Schema } from "effect"
import { OperationFailed, UsageError } from "../CliErrors.js"
import * as Client from "../Client.js"
import { acceptedText } from "../ContentText.js"
import { dryRunOption } from "../DryRun.js"
import * as DurationText from "../DurationText.js"
import { type GlobalFlags, globalOptions } from "../GlobalOptions.js"
import { endpointOption, subscriptionOption } from "../Ids.js"
import { formatFor } from "../Output.js"
import { endpointByDomain, endpointRef, subscriptionOf } from "../Refs.js"
import { remember } from "../Secrets.js"
import * as Stderr from "../Stderr.js"
import { withVerbosity } from "../StderrLogger.js"
import { columns, fields, tsv } from "../Table.js"
import { endedAs, started, waitFlag, waitOptions } from "../Waiting.js"

const formatOf = (flags: GlobalFlags) => formatFor(flags.output, process.stdout.isTTY === true)

const certOption = Options.text("cert").pipe(
  Options.withPseudoName("fullchain.pem"),
  Options.withDescription("The certificate and its chain, PEM")
)
const keyOption = Options.text("key").pipe(
  Options.withPseudoName("privkey.pem"),
  Options.withDescription("Its private key, PEM (read, kept redacted, never printed)")
)

const readText = (what: string, path: string) =>
  Effect.flatMap(FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.mapError(
      (error) =>
        new UsageError({
          message: `${what}: cannot read ${bounded(path, 200)}: ${error._tag === "SystemError" ? error.reason : "unreadable"}`
        })
    )
  )

/** The certificate and the key (Redacted at once, and never shown by any output from now on). */
const readPair = (certPath: string, keyPath: string) =>
  Effect.all({
    certificate: readText("--cert", certPath),
    key: Effect.map(readText("--key", keyPath), (text) => {
      remember(text.trim())
      return Redacted.make(text)
    })
  })

/** Checked as the service would, before anything is sent: they parse, belong together, are valid now. */
const checkPair = (certificate: string, key: Redacted.Redacted<string>) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => {
    const problem = Https.pairProblem(certificate, key) ?? Https.validityProblem(certificate, now)
    return problem === undefined ? Effect.void : Effect.fail(new UsageError({ message: problem }))
  })

const certificateText = (certificate: Https.Certificate, format: ReturnType<typeof formatOf>): string => {
  if (format === "json") return JSON.stringify(Schema.encodeSync(Https.CertificateShape)(certificate), null, 2)
  if (format === "tsv") return tsv([[certificate.certificateId, certificate.certificateName, certificate.validTo]])
  return fields([
    ["CertificateId", certificate.certificateId],
    ["CertificateName", certificate.certificateName],
    ["Subjects", certificate.subjects.join(", ")],
    ["Thumbprint", certificate.thumbprint],
    ["ValidFrom", certificate.validFrom],
    ["ValidTo", certificate.validTo]
  ])
}

const upload = Command.make(
  "upload",
  {
    subscriptionId: subscriptionOption,
    cert: certOption,
    key: keyOption,
    name: Options.text("name").pipe(
      Options.withDescription("A name [default: the domain and the expiry date]"),
      Options.optional
    ),
    timeout: DurationText.callTimeout,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ subscriptionId: given, cert, key, name, timeout, ...flags }) =>
    Effect.gen(function* () {
      const subscriptionId = yield* subscriptionOf(flags, given)
      const pair = yield* readPair(cert, key)
      yield* checkPair(pair.certificate, pair.key)
      const cdn = yield* CdnClient
      const uploaded = yield* cdn.uploadCertificate({
        subscriptionId,
        certificate: pair.certificate,
        privateKey: pair.key,
        ...Option.match(name, { onNone: () => ({}), onSome: (n) => ({ name: n }) })
      })
      yield* Console.log(certificateText(uploaded, formatOf(flags)))
    }).pipe(Effect.provide(Client.layer(flags, timeout)), withVerbosity(flags.verbose))
).pipe(Command.withDescription("Upload a certificate and its private key to the subscription (checked first)."))

const bindOptions = {
  originProtocol: Options.choice("origin-protocol", Https.OriginProtocols).pipe(
    Options.withDescription("How the CDN reaches the origin once HTTPS is on"),
    Options.optional
  ),
  redirectHttps: Options.boolean("redirect-https").pipe(
    Options.withDescription("Redirect http:// requests to https://")
  )
}

const bind = Command.make(
  "bind",
  {
    subscriptionId: subscriptionOption,
    certificateId: Options.text("certificate").pipe(
      Options.withPseudoName("id"),
      Options.withDescription("The uploaded certificate's id")
    ),
    endpointId: endpointOption,
    ...bindOptions,
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({ certificateId, originProtocol, redirectHttps, wait, interval, timeout, ...rest }) =>
    Effect.gen(function* () {
      const { subscriptionId: givenSubscription, endpointId: givenEndpoint, ...flags } = rest
      const { subscriptionId, endpointId } = yield* endpointRef(flags, {
        subscriptionId: givenSubscription,
        endpointId: givenEndpoint
      })
      const cdn = yield* CdnClient
      const bind = cdn.bindCertificate({
        subscriptionId,
        endpointId,
        certificateId,
        ...Option.match(originProtocol, { onNone: () => ({}), onSome: (p) => ({ originProtocol: p }) }),
        ...(redirectHttps ? { autoHttpsRedirect: true } : {})
      })
      const { accepted, followed } = yield* started("binding", { subscriptionId, endpointId }, bind, {
        wait,
        interval,
        timeout
      })
      const id = accepted.taskTrackId
      if (followed === undefined || id === undefined) return yield* Console.log(acceptedText(accepted, formatOf(flags)))
      const { operation } = followed
      yield* Console.log(`binding ${id}: ${operation.status}`)
      if (operation.status !== "Succeeded") {
        return yield* new OperationFailed({ operationId: id, message: `binding ${id} ended ${endedAs(followed)}` })
      }
    }).pipe(Effect.provide(Client.layer(rest)), withVerbosity(rest.verbose))
).pipe(Command.withDescription("Bind an uploaded certificate to an endpoint (an operation; --wait follows it)."))

/** certbot's deploy hook: the renewed lineage's files. */
const certbotFiles = Effect.suspend(() => {
  const lineage = process.env.RENEWED_LINEAGE
  if (lineage === undefined || lineage === "") {
    return Effect.fail(
      new UsageError({ message: "--certbot: RENEWED_LINEAGE is not set (run it as certbot's --deploy-hook)" })
    )
  }
  return Effect.succeed({ cert: join(lineage, "fullchain.pem"), key: join(lineage, "privkey.pem") })
})

const renew = Command.make(
  "renew",
  {
    subscriptionId: subscriptionOption,
    cert: certOption.pipe(Options.optional),
    key: keyOption.pipe(Options.optional),
    endpointIds: Options.text("endpoint").pipe(
      Options.withPseudoName("guid|domain"),
      Options.withDescription("An endpoint to bind to: its GUID or its custom domain; repeat for more"),
      Options.repeated
    ),
    certbot: Options.boolean("certbot").pipe(
      Options.withDescription(
        "Read certbot's deploy-hook environment (RENEWED_LINEAGE) and bind to every endpoint whose domain the certificate covers; implies --wait"
      )
    ),
    ...bindOptions,
    wait: waitFlag,
    ...waitOptions,
    dryRun: dryRunOption,
    ...globalOptions
  },
  ({
    subscriptionId: givenSubscription,
    cert,
    key,
    endpointIds,
    certbot,
    originProtocol,
    redirectHttps,
    wait,
    interval,
    timeout,
    ...flags
  }) =>
    Effect.gen(function* () {
      const files = certbot
        ? yield* certbotFiles
        : Option.isSome(cert) && Option.isSome(key)
          ? { cert: cert.value, key: key.value }
          : yield* new UsageError({ message: "give --cert and --key, or --certbot" })
      const pair = yield* readPair(files.cert, files.key)
      yield* checkPair(pair.certificate, pair.key)
      const subscriptionId = yield* subscriptionOf(flags, givenSubscription)
      // Every ID checked before the first request: a bad second --endpoint must not leave the first one half done.
      if (!isGuid(subscriptionId)) {
        return yield* new UsageError({
          message: `--subscription must be a GUID such as 5dd0413d-a2f9-442a-b836-128d87753fa9, got ${bounded(JSON.stringify(subscriptionId), 80)}`
        })
      }
      const badEndpoint = endpointIds.find((id) => !isGuid(id) && !isHostName(id))
      if (badEndpoint !== undefined) {
        return yield* new UsageError({
          message: `--endpoint must be a GUID such as 46fecf3c-e874-49aa-891d-0d4dc93213e0 or a custom domain, got ${bounded(JSON.stringify(badEndpoint), 80)}`
        })
      }
      const x509 = Either.getOrThrow(Https.readCertificate(pair.certificate))
      const cdn = yield* CdnClient

      // The endpoints to bind: those named (each must be covered), or with --certbot every covered one.
      let targets: ReadonlyArray<Endpoint>
      if (endpointIds.length > 0) {
        targets = yield* Effect.forEach(endpointIds, (given) =>
          isGuid(given)
            ? cdn.getEndpoint({ subscriptionId, endpointId: given })
            : endpointByDomain(subscriptionId, given)
        )
        const uncovered = targets.filter((e) => !Https.covers(x509, e.settings.customDomain))
        if (uncovered.length > 0) {
          return yield* new UsageError({
            message: `the certificate (${Https.namesOf(x509).join(", ")}) does not cover ${uncovered.map((e) => e.settings.customDomain).join(", ")}: nothing was changed`
          })
        }
      } else if (certbot) {
        const all = yield* cdn.listEndpoints({ subscriptionId })
        targets = all.filter(
          (e) => Https.covers(x509, e.settings.customDomain) && e.status.lifetimeStatus !== "Deleted"
        )
        if (targets.length === 0) {
          return yield* new UsageError({
            message: `no endpoint of subscription ${subscriptionId} serves a domain the certificate covers (${Https.namesOf(x509).join(", ")})`
          })
        }
      } else {
        return yield* new UsageError({ message: "give --endpoint (one or more), or --certbot" })
      }

      const uploaded = yield* cdn.uploadCertificate({
        subscriptionId,
        certificate: pair.certificate,
        privateKey: pair.key
      })
      yield* Stderr.line(`azcdn: certificate ${uploaded.certificateId} (${uploaded.certificateName ?? ""}) uploaded`)
      const rows: Array<ReadonlyArray<string>> = []
      for (const endpoint of targets) {
        const bind = cdn.bindCertificate({
          subscriptionId,
          endpointId: endpoint.endpointId,
          certificateId: uploaded.certificateId,
          ...Option.match(originProtocol, { onNone: () => ({}), onSome: (p) => ({ originProtocol: p }) }),
          ...(redirectHttps ? { autoHttpsRedirect: true } : {})
        })
        const { accepted, followed } = yield* started(
          "binding",
          { subscriptionId, endpointId: endpoint.endpointId },
          bind,
          { wait: wait || certbot, interval, timeout }
        )
        const status = followed === undefined ? "accepted" : followed.operation.status
        rows.push([endpoint.endpointId, endpoint.settings.customDomain, status, accepted.taskTrackId ?? ""])
      }
      const format = formatOf(flags)
      yield* Console.log(
        format === "json"
          ? JSON.stringify(
              {
                CertificateId: uploaded.certificateId,
                Bindings: rows.map(([EndpointId, Domain, Status, OperationId]) => ({
                  EndpointId,
                  Domain,
                  Status,
                  OperationId
                }))
              },
              null,
              2
            )
          : format === "tsv"
            ? tsv(rows)
            : columns(["ENDPOINT", "DOMAIN", "BINDING", "OPERATION"], rows)
      )
      const failed = rows.filter((row) => row[2] !== "Succeeded" && row[2] !== "accepted")
      if (failed.length > 0) {
        return yield* new OperationFailed({
          operationId: failed[0]?.[3] ?? "",
          message: `${failed.length} of ${rows.length} bindings did not succeed: ${failed.map((row) => row[1]).join(", ")}`
        })
      }
    }).pipe(Effect.provide(Client.layer(flags)), withVerbosity(flags.verbose))
).pipe(
  Command.withDescription(
    "Check a certificate and key, upload them, bind them to each endpoint, wait, report; exit 0 only when every binding succeeded."
  )
)

export const https = Command.make("https", {}, () =>
  Effect.fail(new UsageError({ message: "choose a command: azcdn https upload|bind|renew" }))
).pipe(
  Command.withDescription("HTTPS certificates: upload, bind, renew."),
  Command.withSubcommands([upload, bind, renew])
)
