#!/usr/bin/env bash
# Everything issue 6 still needs a GPU for, as one prepared command for a short GPU lease.
#
# Steps, in order of value, each boxed in time so that the whole fits one 10-minute command:
#   1. the GPU unit tests: replicas equal sequential runs on CUDA, compiled = eager, cuda = cpu
#   2. `ee449 bench --device cuda` on real CIFAR-10: trainer / reference, replicas batched /
#      sequential (target >= 5x), peak GPU memory; then the same with --tf32 and with --compile
#   3. benchmarks/bench_layout.py on the GPU: NCHW against channels_last, evaluation chunks
#   4. `time ee449 all` at the spec's settings on real CIFAR-10 (target < 10 min on an H100),
#      with whatever time is left; its progress log shows how far it got if the box closes first
# Everything lands in $OUT (or ./gpu-out), in at most 6 files (a device call returns 8): session.log
# (all output), bench.json, bench-tf32.json, bench-compile.json, layout.json, results.tar.gz.
#
# Data: the real CIFAR-10 image-folder archive (the course's cifar10-jpg.tar.gz, third-party:
# never committed) at $EE449_CIFAR_ARCHIVE, default .gpu-data/cifar10-jpg.tar.gz (ignored by git;
# copy it there and name .gpu-data in the device call's `carry`), or an unpacked tree at
# $EE449_CIFAR_DIR. Python: the machine's python3 with torch; ee449 runs from this checkout.
#
#   bash benchmarks/gpu_session.sh [BUDGET_SECONDS]      # default 540
#   EE449_GPU_SESSION_DEVICE=cpu bash benchmarks/gpu_session.sh 150   # a dry run of the plumbing on a
#                                      CPU: tiny settings (bench --quick, all --quick), no GPU tests
set -u
BUDGET=${1:-540}
DEVICE=${EE449_GPU_SESSION_DEVICE:-cuda}
OUT=${OUT:-gpu-out}
PY=${PYTHON:-python3}
if [ "$DEVICE" = cuda ]; then
    BENCH_SIZE=(--steps 100 --replica-steps 50); LAYOUT_SIZE=(--chunks 1000,5000,10000 --repeats 3); ALL_SIZE=()
else  # the dry run
    BENCH_SIZE=(--quick); LAYOUT_SIZE=(--archs cnn_4 --chunks 256 --repeats 1); ALL_SIZE=(--quick --data synthetic)
fi
mkdir -p "$OUT"
LOG="$OUT/session.log"
exec > >(tee -a "$LOG") 2>&1  # everything below goes to the terminal and to session.log
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
START=$(date +%s)
left() { echo $(( BUDGET - ($(date +%s) - START) )); }
step() { echo "== $(date -u +%H:%M:%S) $1 ($(left) s left)"; }

step "environment"
nvidia-smi 2>&1 || true
"$PY" -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__,
      "cuda", torch.cuda.is_available())'
git rev-parse HEAD 2>/dev/null || true

DATA=${EE449_CIFAR_DIR:-}
if [ -z "$DATA" ]; then
    ARCHIVE=${EE449_CIFAR_ARCHIVE:-.gpu-data/cifar10-jpg.tar.gz}
    if [ -f "$ARCHIVE" ]; then
        mkdir -p /tmp/ee449-cifar && tar -xzf "$ARCHIVE" -C /tmp/ee449-cifar && DATA=/tmp/ee449-cifar/cifar10
    else
        echo "no CIFAR-10 archive at $ARCHIVE: the benchmarks use synthetic data, step 4 is skipped"
        DATA=synthetic
    fi
fi
export EE449_CIFAR_DIR=$([ "$DATA" != synthetic ] && echo "$DATA")
echo "data: $DATA"

step "1. GPU unit tests"
if [ "$DEVICE" = cuda ]; then
    timeout 150 "$PY" -m pytest -m gpu --require-gpu -q -p no:cacheprovider \
        tests/training/test_replicas.py tests/training/test_loop.py tests/bench/test_bench.py 2>&1 | tail -15
fi

step "2. ee449 bench (plain, --tf32, --compile)"
timeout 120 "$PY" -m ee449 bench --device "$DEVICE" --data "$DATA" "${BENCH_SIZE[@]}" \
    --markdown --json "$OUT/bench.json" 2>&1 | grep -v '^\[bench\]   run' 
for flag in --tf32 --compile; do
    timeout 90 "$PY" -m ee449 bench --device "$DEVICE" --data "$DATA" "${BENCH_SIZE[@]}" --replicas 0 --skip-reference \
        --warmup $flag --markdown --json "$OUT/bench${flag#-}.json" 2>&1 | tail -4
done

step "3. memory layout and chunk size"
timeout 90 "$PY" benchmarks/bench_layout.py --device "$DEVICE" "${LAYOUT_SIZE[@]}" \
    --json "$OUT/layout.json" 2>&1

if [ "$DATA" != synthetic ] && [ "$(left)" -gt 60 ]; then
    step "4. the whole homework at the spec's settings (time-boxed to what is left)"
    started=$(date +%s)
    timeout "$(( $(left) - 20 ))" "$PY" -m ee449 all --data "$DATA" --device "$DEVICE" "${ALL_SIZE[@]}" --out /tmp/ee449-full \
        2> /tmp/ee449-all.log
    status=$?
    echo "ee449 all: exit status $status after $(( $(date +%s) - started )) s (124: stopped by the time box)"
    tail -c 20000 /tmp/ee449-all.log  # the progress log: how far it got
    (cd /tmp/ee449-full 2>/dev/null && tar -czf - *.json) > "$OUT/results.tar.gz" || true
fi
step "done"
