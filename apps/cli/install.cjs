// The fast start, where it can work: on a system with a POSIX shell (Linux, macOS), a V8 startup snapshot built for
// the Node that runs this script, and a shell launcher that starts from it (about twice as fast as the bundle),
// falling back to the bundle when the Node on the PATH is another. Elsewhere (Windows), with `--ignore-scripts`, or
// when anything fails, the JavaScript launcher stays: azcdn works everywhere, and never fails to install.
// - `node install.cjs`: npm's postinstall of the installed package: replaces bin/azcdn.
// - `node install.cjs --checkout`: the build in a source checkout: writes dist/azcdn, the launcher of `pnpm azcdn`,
//   the tests and the bench (bin/azcdn, the file in git, stays as it is).
const { spawnSync } = require("node:child_process")
const { chmodSync, existsSync, rmSync, writeFileSync } = require("node:fs")
const { join } = require("node:path")

const dist = join(__dirname, "dist")
const blob = join(dist, "azcdn.blob")
const blobNode = join(dist, "azcdn.blob.node")
const snapshotEntry = join(dist, "azcdn-snapshot.cjs")
const checkout = process.argv.includes("--checkout")

// `dist` as the launcher finds it: beside it (dist/azcdn), or beside its folder (bin/azcdn).
const launcherFor = (toDist) => `#!/bin/sh
# azcdn: starts from the V8 startup snapshot when the Node on the PATH built it, else from the bundle.
# AZCDN_NO_SNAPSHOT=1 always uses the bundle.
dist=$(dirname "$(readlink -f "$0")")${toDist}
node=$(command -v node) || { echo "azcdn: node is not on the PATH" >&2; exit 1; }
# --version alone is answered by the bundle's entry before it loads anything: faster than any snapshot.
if [ "$#" -eq 1 ] && [ "$1" = "--version" ]; then exec "$node" "$dist/azcdn.cjs" --version; fi
if [ -z "$AZCDN_NO_SNAPSHOT" ] && [ -r "$dist/azcdn.blob" ] && [ -r "$dist/azcdn.blob.node" ]; then
  read -r built < "$dist/azcdn.blob.node"
  real=$(readlink -f "$node")
  if [ "$real" = "$built" ] && [ ! "$real" -nt "$dist/azcdn.blob" ]; then
    exec "$real" --snapshot-blob "$dist/azcdn.blob" -- "$@"
  fi
fi
exec "$node" "$dist/azcdn.cjs" "$@"
`

const writeLauncher = (path, text) => {
  writeFileSync(path, text)
  chmodSync(path, 0o755)
}

// Builds the blob for this Node; true when it could.
const snapshot = () => {
  const built = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", snapshotEntry], {
    cwd: dist,
    encoding: "utf8",
    // Node warns that some of its modules are not verified in snapshots; azcdn's tests run from this snapshot.
    env: { ...process.env, NODE_NO_WARNINGS: "1" }
  })
  if (built.status !== 0) {
    rmSync(blob, { force: true })
    rmSync(blobNode, { force: true })
    const why = `${built.stderr ?? ""}`.trim().split("\n").at(-1)
    console.warn(`azcdn: no startup snapshot, azcdn starts from the bundle (${why})`)
    return false
  }
  // The Node that built it, which alone may load it.
  writeFileSync(blobNode, `${process.execPath}\n`)
  return true
}

const posix = process.platform !== "win32" && existsSync("/bin/sh")
const built = existsSync(join(dist, "azcdn.cjs")) && existsSync(snapshotEntry)
// A source checkout's postinstall (pnpm install) has nothing to do: its build writes dist/azcdn.
const sourceCheckout = existsSync(join(__dirname, "src"))

if (checkout) {
  if (posix && built && snapshot()) writeLauncher(join(dist, "azcdn"), launcherFor(""))
  else {
    writeLauncher(
      join(dist, "azcdn"),
      '#!/usr/bin/env node\nimport { createRequire } from "node:module"\n\ncreateRequire(import.meta.url)("./azcdn.cjs")\n'
    )
  }
} else if (posix && built && !sourceCheckout && !process.env.AZCDN_NO_SNAPSHOT && snapshot()) {
  writeLauncher(join(__dirname, "bin", "azcdn"), launcherFor("/../dist"))
}
