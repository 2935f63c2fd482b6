#!/usr/bin/env bash
# The GPU rows of benchmarks/RESULTS.md in one go, on a machine with one GPU and JAX with CUDA
# (on an H200, 2026-11-29: 3.3 minutes before the year-long cache hit and the larger sweep
# were added, so about 4.5 now; about 73 s of it building the 26.5M population once):
#   - the model's tests on the GPU (tests/test_model.py: each mechanism's effect, the
#     invariants, the same seed bit for bit, chunking);
#   - the model at 1M and 26.5M agents x 365 days, compilation included, then the same year
#     again from the stored executables (the model block);
#   - an ensemble of 64 seeds of 1M agents as one program (printed, agent-days per second);
#   - the Morris sweep batched against one point at a time on the GPU (the experiments block).
# Each step runs even if one before it failed; the logs and the rewritten RESULTS.md go to
# the folder given (default /tmp/panopticum-gpu). Merge the blocks into the committed
# RESULTS.md by hand, keeping the CPU rows. Runs from a checkout, installed or not (the
# checkout's src/ goes first on PYTHONPATH, before any packages already named there).
#
#   bash benchmarks/gpu.sh [LOG_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
log=${1:-/tmp/panopticum-gpu}
py=${PYTHON:-python3}
pops=$(mktemp -d)
mkdir -p "$log"
export PYTHONUNBUFFERED=1
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
status=0
step() {
    local name=$1; shift
    echo "== $name: $*"
    "$@" 2>&1 | tee "$log/$name.txt"
    local rc=${PIPESTATUS[0]}
    echo "== $name: exit $rc"
    [ "$rc" = 0 ] || status=1
}
"$py" -c "import jax; print(jax.__version__, jax.devices())" 2>&1 | tee "$log/devices.txt"
step tests "$py" -m pytest -q -p no:cacheprovider tests/test_model.py
step model "$py" benchmarks/model.py --sizes 1000000,26500000 --days 365 --cores all --devices 1 --repeats 1 \
    --hit-days 365 --cache "$pops"
step ensemble "$py" benchmarks/model.py --sizes 1000000 --members 64 --days 146 --cores all --devices 1 --repeats 1 \
    --cache "$pops" --no-write
step experiments "$py" benchmarks/experiments.py --no-cpu --repeats 1 --trajectories 16 --batch 32
cp benchmarks/RESULTS.md "$log/RESULTS.md"
rm -rf "$pops"
exit $status
