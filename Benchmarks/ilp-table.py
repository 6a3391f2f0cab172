#!/usr/bin/env python3
"""Per-size ILP table for BENCHMARKS.md from gma-bench's records.csv (run with --ilp-budgets 2,60).

usage: Benchmarks/ilp-table.py RECORDS.csv
"""
import csv
import statistics
import sys


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round((len(ordered) - 1) * p)))]


def problem_set(row):
    name = row["instance"]
    if "small" in name:
        return "offload-small" if name.startswith("offload") else "unoffload-small"
    return row["set"]


def main(path):
    groups = {}
    for row in csv.DictReader(open(path)):
        key = (problem_set(row), int(row["services"]))
        groups.setdefault(key, {}).setdefault(row["solver"], []).append(row)
    print("| set | services | n | proven optimal @2s | p50 / p95 / max ms @2s | proven optimal @60s "
          "| p50 / p95 / max ms @60s | cost / SBMP: median (min) | = exhaustive optimum | SBMP p50 ms (reference) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups):
        short, long = groups[key].get("ilp@2s", []), groups[key].get("ilp@60s", [])
        if not short:
            continue
        ms = lambda rows: [float(r["seconds"]) * 1000 for r in rows]
        proven = lambda rows: sum(r["status"] == "optimal" for r in rows)
        spread = lambda rows: (f"{percentile(ms(rows), .5):.1f} / {percentile(ms(rows), .95):.1f} / "
                               f"{max(ms(rows)):.1f}") if rows else "–"
        ratios = [float(r["cost_per_hour"]) / float(r["sbmp_cost"]) for r in short if r["sbmp_cost"]]
        known = [r for r in short if r["optimum_cost"]]
        exact = sum(abs(float(r["cost_per_hour"]) - float(r["optimum_cost"])) <= 1e-6 * float(r["optimum_cost"])
                    for r in known)
        sbmp = [float(r["sbmp_seconds"]) * 1000 for r in short if r["sbmp_seconds"]]
        print(f"| {key[0]} | {key[1]} | {len(short)} | {proven(short)}/{len(short)} | {spread(short)} "
              f"| {proven(long)}/{len(long)} | {spread(long)} | {statistics.median(ratios):.4f} ({min(ratios):.4f}) "
              f"| {exact}/{len(known)} | {percentile(sbmp, .5):.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
