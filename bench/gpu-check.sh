#!/usr/bin/env bash
# GPU check, one command, about 6 minutes on one H100 (limit 8): SFT and GRPO steps of our trainer on a
# random-initialised ~1.2B model (preset gpu-bench: built from a config, byte tokenizer, nothing downloaded) on
# the tiny data, against plain TRL scripts on the same model and data; tokens/s of each, GPU memory and
# utilisation, and the GPU's idle share while rewards are computed. Results: $OUT/gpu-check.json (or ./gpu-check-out/).
#   bash bench/gpu-check.sh          # needs .ci/setup.sh done (venv with torch+trl, node_modules, bubblewrap)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/.scratch/gpu-check}
mkdir -p "$OUT"
command -v nvidia-smi >/dev/null || { echo "no GPU (nvidia-smi not found): this check needs one" >&2; exit 3; }
# The project venv here; on a bare GPU image set PYTHON=python3 (with trl and datasets carried as wheels).
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
exec timeout 470 "$PYTHON" bench/gpu-check.py --out "$OUT"
