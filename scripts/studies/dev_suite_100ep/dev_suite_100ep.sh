#!/bin/bash
cd "$(dirname "$0")/../../.."   # the repository root
export KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
BASE="Q RO+Q COT SMOTE+Q B-SMOTE+Q ADASYN+Q CW-CE Focal LA-CE LR HGB"
s=$(date +%s)
echo "START baselines $(date -u)"
.venv/bin/aos-keras compare --suite $AOS_KERAS_DATA/dev --methods $BASE --repeats 3 --epochs 100 --batch-size 32 --jobs 2 --cache-dir scripts/studies/dev_suite_100ep --out docs/results --name dev_suite_100ep_baselines
e=$(date +%s); echo "WALL baselines $((e-s)) s"
echo "START with AO DO $(date -u)"
.venv/bin/aos-keras compare --suite $AOS_KERAS_DATA/dev --methods $BASE AO DO --repeats 3 --epochs 100 --batch-size 32 --jobs 2 --cache-dir scripts/studies/dev_suite_100ep --out docs/results --name dev_suite_100ep_with_game
f=$(date +%s); echo "WALL with AO DO (baseline runs cached) $((f-e)) s; total $((f-s)) s"
