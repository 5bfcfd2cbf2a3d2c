#!/bin/bash
# The shared-rows study (docs/research/shared_rows.md): AO, DO, AO-shared,
# DO-shared on the development suite under the dev_suite_100ep protocol, on
# version 0.2.0. The baselines' runs are copied from scripts/studies/dev_suite_100ep
# (their code did not change); the four game methods run here.
# Run from a checkout of the commit that added this file (then at
# runs/dev_suite_v02.sh); today: bash scripts/studies/shared_rows/dev_suite_v02.sh
cd "$(dirname "$0")/../../.."   # the repository root
export KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
PY=${PY:-.venv/bin/python}
CACHE=${CACHE:-scripts/studies/shared_rows/}
OUT=${OUT:-docs/results}
BASE="Q RO+Q COT SMOTE+Q B-SMOTE+Q ADASYN+Q CW-CE Focal LA-CE LR HGB"
$PY - "$CACHE" <<'PYCODE'
import json, os, shutil, sys
src, dst = "scripts/studies/dev_suite_100ep", sys.argv[1]
for root, _, files in os.walk(src):
    for name in files:
        path = os.path.join(root, name)
        with open(path) as f:
            method = json.load(f).get("method")
        if method not in ("AO", "DO"):
            target = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.exists(target):
                shutil.copy2(path, target)
PYCODE
s=$(date +%s)
echo "START $(date -u)"
$PY aos_keras_cli.py compare --suite $AOS_KERAS_DATA/dev --methods $BASE AO DO AO-shared DO-shared --repeats 3 --epochs 100 --batch-size 32 --jobs 1 --cache-dir "$CACHE" --out "$OUT" --name dev_suite_v02
e=$(date +%s); echo "WALL $((e-s)) s"
