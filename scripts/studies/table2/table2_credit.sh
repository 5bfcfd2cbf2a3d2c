#!/bin/bash
# usage: credit_q.sh NAME "methods;seeds" ...
cd /work/wt-credit
name=$1; shift
for job in "$@"; do
  methods=${job%;*}; seeds=${job#*;}
  echo "== $(date +%T) $methods seeds<$seeds" >> /work/main/runs/table2_credit_$name.log
  KERAS_BACKEND=jax TF_CPP_MIN_LOG_LEVEL=3 PYTHONPATH=/work/wt-credit /work/main/.venv/bin/python scripts/reproduce_table2.py --datasets credit --methods $methods --seeds $seeds >> /work/main/runs/table2_credit_$name.log 2>&1
  echo "== $(date +%T) done rc=$?" >> /work/main/runs/table2_credit_$name.log
done
