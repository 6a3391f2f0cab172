#!/usr/bin/env bash
# The closed-loop table of BENCHMARKS.md: every bundled twin scenario and the new-user scenarios of
# Benchmarks/closed-loop/, with both solvers, under the reference's control and gma's, one markdown row each.
#
# usage: Benchmarks/closed-loop.sh [GMA_BINARY]     (default .build/release/gma; build it first)
set -euo pipefail
gma=${1:-.build/release/gma}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| scenario | solver | policy | above | below | longest | cost/oracle | actions (off/un/cons), per load change | wall |"
echo "|---|---|---|---|---|---|---|---|---|"
for f in examples/twin/{lambda-sweep,flash-crowd,rtt-increase,boutique-daily,mismatch-stress}.yaml Benchmarks/closed-loop/*.yaml; do
  for s in auto greedy; do
    for p in reference gma; do
      summary=$("$gma" simulate "$f" --solver "$s" --policy "$p" --quiet --out "$out/run")
      awk -v name="$(basename "$f" .yaml)" -v solver="$s" -v policy="$p" '
        /^time in band/ { gsub(/[(),%]/, ""); above = $6; below = $8 }
        /^violations/   { longest = $(NF-1) }
        /^actions/      { gsub(/[(),]/, ""); actions = $2 " (" $3 "/" $5 "/" $7 "), " $9 }
        /^oracle/       { ratio = $(NF-2) }
        /^wall time/    { wall = $3 }
        END { printf "| %s | %s | %s | %s %% | %s %% | %s s | %s | %s | %s s |\n", name, solver, policy, above, below, longest, ratio, actions, wall }
      ' <<<"$summary"
    done
  done
done
