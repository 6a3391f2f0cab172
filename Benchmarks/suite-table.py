#!/usr/bin/env python3
"""The Suite table of BENCHMARKS.md from gma-bench's summary.csv.

usage: Benchmarks/suite-table.py SUMMARY.csv
"""
import csv
import sys


def cell(value, kind):
    if value in ("", None):
        return ""
    v = float(value)
    if kind == "share":
        return f"{v * 100:.1f}%".replace(".0%", "%")
    if kind == "ratio":
        return f"{v:.4f}"
    if kind == "ms":
        return f"{v:,.0f}" if v >= 1000 else (f"{v:.1f}" if v >= 10 else f"{v:.2f}")
    return value


def main(path):
    rows = list(csv.DictReader(open(path)))
    print("| group | solver | n | feasible | missed | ≤ SBMP | cost/SBMP p50 | cost/opt p50 (n) | cost/best p50 "
          "| optimal | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        reference = r["solver"].startswith("SBMP")
        known = f'{cell(r["median_cost_over_optimum"], "ratio")} ({r["optimum_known"]})' if r["median_cost_over_optimum"] else ""
        if reference and known:
            known += f', max {cell(r["max_cost_over_optimum"], "ratio")}'
        print(f'| {r["group"]} | {r["solver"]} | {r["problems"]} | {cell(r["feasible_share"], "share")} '
              f'| {"" if reference else r["missed_where_sbmp_meets"]} | {cell(r["cost_le_sbmp_share"], "share")} '
              f'| {cell(r["median_cost_over_sbmp"], "ratio")} | {known} | {cell(r["median_cost_over_best"], "ratio")} '
              f'| {"" if reference else cell(r["proven_optimal_share"], "share")} | {cell(r["p50_ms"], "ms")} '
              f'| {cell(r["p95_ms"], "ms")} |')


if __name__ == "__main__":
    main(sys.argv[1])
