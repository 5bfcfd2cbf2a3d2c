#!/bin/bash
# usage: WORKTREE=<worktree of 666acb8> table2_credit.sh NAME "methods;seeds" ...
# Runs Credit cells of Table 2 from a worktree of the frozen commit (the
# settings of seed 0); logs beside this file (ignored).
HERE="$(cd "$(dirname "$0")" && pwd)"
PY=${PY:-python}
cd "$WORKTREE"
name=$1; shift
for job in "$@"; do
  methods=${job%;*}; seeds=${job#*;}
  echo "== $(date +%T) $methods seeds<$seeds" >> "$HERE/table2_credit_$name.log"
  KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=. $PY scripts/reproduce_table2.py --datasets credit --methods $methods --seeds $seeds >> "$HERE/table2_credit_$name.log" 2>&1
  echo "== $(date +%T) done rc=$?" >> "$HERE/table2_credit_$name.log"
done
