#!/usr/bin/env python
"""Write var/bench/results.md (Markdown tables) from var/bench/results.json, with the machine, and print it."""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, RESULTS_DIR, machine, record  # noqa: E402


def yes(value) -> str:
    return "yes" if value else "**no**"


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def markdown(results: dict) -> str:
    out = ["# Liaison bench results", ""]
    m = results.get("machine", {})
    out += [f"Machine: {m.get('nproc')} cores, {m.get('cpu')}, {m.get('ram_gb')} GB RAM, {m.get('os')}, "
            f"Python {m.get('python')}, Django {m.get('django')}, {m.get('postgresql')}; "
            f"scale {results.get('scale')}; whole run {results.get('seconds')} s; "
            f"load average at the end {m.get('load_average')}.", ""]
    generated = results.get("generate", {})
    if generated:
        out += ["## Data generation", ""]
        out += table(["run", "database", "scale", "rows", "seconds", "rows/s"],
                     [[k, v["database"], round(v["scale"], 6), f"{v['rows']:,}", v["seconds"], f"{v['rows_per_s']:,}"]
                      for k, v in generated.items()])
    for db, data in results.get("latency", {}).items():
        out += [f"## Server-side latency, {db} ({data['orders']:,} orders; load {data['load_average_before']} → "
                f"{data['load_average_after']})", ""]
        out += table(["page", "queries", "p50 ms", "p95 ms", "max ms", "p95 ≤ 100 ms"],
                     [[name, f"{r['queries_min']}–{r['queries_max']}" if r['queries_min'] != r['queries_max']
                       else r['queries_max'], r["p50_ms"], r["p95_ms"], r["max_ms"], yes(r["meets_target"])]
                      for name, r in data["pages"].items()])
    growth = results.get("queries_growth", {})
    if growth:
        out += ["## Queries per page at 1× and 10× data (PostgreSQL)", ""]
        out += table(["page", "1×", "10×", "grows"],
                     [[name, r["1x"], r["10x"], "**GROWS**" if r["grows"] else "no"] for name, r in growth.items()])
    jobs = results.get("jobs", {})
    if jobs:
        out += [f"## Timed jobs ({jobs['database']}; load {jobs['load_average_before']} → "
                f"{jobs['load_average_after']})", ""]
        rows = []
        a = jobs.get("analysis", {})
        if "median_ms" in a:
            rows.append(["survey analysis (round_analysis)", f"{a['forms']:,} forms, {a['scores']:,} scores",
                         f"{a['median_ms']} ms (best {a['best_ms']})", "≤ 200 ms", yes(a["meets_target"])])
        p = jobs.get("pack", {})
        if "total_s" in p:
            rows.append(["review pack PDF", f"gather {p['build_s']} s + PDF {p['render_s']} s",
                         f"{p['total_s']} s", "≤ 3 s", yes(p["meets_target"])])
        i = jobs.get("import", {})
        if "seconds" in i:
            rows.append(["F9 Excel import", f"{i['rows']:,} rows, {i['rows_per_s']} rows/s",
                         f"{i['seconds']} s (100 000 rows ≈ {i['extrapolated_100k_s']} s)", "100 000 rows ≤ 60 s",
                         yes(i["meets_target"])])
        d = jobs.get("disposal", {})
        if "seconds" in d:
            rows.append(["disposal of expired records", f"{d['disposed']:,} complaints (F6) archived and deleted",
                         f"{d['seconds']} s ({d['records_per_s']}/s; 100 000 ≈ {d['extrapolated_100k_s'] // 60} min)",
                         "—", "—"])
        out += table(["job", "size", "time", "target", "met"], rows)
    writes = results.get("writes", {})
    if writes:
        out += [f"## Writes through gunicorn ({writes['workers']} workers, {writes['clients']} clients, "
                f"{writes['seconds_each']} s each; load {writes['load_average_before']} → "
                f"{writes['load_average_after']})", ""]
        q = writes.get("queries_per_request", {})
        rows = []
        for name in ("floor", "order", "complaint", "floor_after"):
            r = writes[name]
            rows.append([name, q.get(name.removesuffix("_after"), {}).get("queries", ""), r["per_second"], r["p50_ms"],
                         r["p95_ms"], sum(r["errors"].values()), r.get("ratio_to_floor", ""),
                         yes(r["meets_target"]) if "meets_target" in r else ""])
        out += table(["scenario", "queries", "req/s", "p50 ms", "p95 ms", "errors", "÷ floor", "≥ 50 %"], rows)
    load = results.get("load", {})
    if load:
        t = load["total"]
        out += [f"## Load: {load['users']} users for {load['seconds']} s (load {load['load_average_before']} → "
                f"{load['load_average_after']})", "",
                f"{t['n']:,} requests, {t['per_second']} req/s, p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms, "
                f"{t['errors']} errors.", ""]
        out += table(["flow", "n", "p50 ms", "p95 ms", "max ms", "errors"],
                     [[name, r["n"], r["p50_ms"], r["p95_ms"], r["max_ms"], sum(r["errors"].values())]
                      for name, r in load["flows"].items()])
    faults = results.get("faults", {})
    if faults:
        out += ["## Faults", ""]
        k = faults.get("kill_worker")
        if k:
            out.append(f"- kill -9 of {len(k['killed'])} gunicorn workers during order writes: {k['ok_responses']} "
                       f"answered, errors {k['errors']}, {k['orders_created']} orders created "
                       f"({k['created_without_answer']} without an answer); orders without lines "
                       f"{k['orders_without_lines']}, without review round {k['orders_without_review_round']}, "
                       f"counters consistent: {yes(all(c['consistent'] for c in k['counters'].values()))}.")
        s = faults.get("stop_postgres")
        if s and "skipped" not in s:
            out.append(f"- PostgreSQL stopped for {s['outage_s']} s during order writes: {s['ok_responses']} answered, "
                       f"errors {s['errors']}; after the restart {s['ok_after_restart']} answered, errors "
                       f"{s['errors_after_restart']}; data whole: {yes(s['ok'])}.")
        elif s:
            out.append(f"- PostgreSQL stop: skipped ({s['skipped']}).")
        t = faults.get("kill_task_worker")
        if t:
            out.append(f"- db_worker killed while the disposal job (dry run) was {t['killed_while']}: after the next "
                       f"worker the job is {t['status_after_next_worker']} — run again: {yes(t['ran_again'])}.")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=None, help="how long the whole run took")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    record("machine", machine())
    record("scale", float(os.environ.get("BENCH_SCALE", "0") or 0) or None)
    if args.seconds is not None:
        record("seconds", args.seconds)
    results = json.loads(RESULTS.read_text())
    text = markdown(results)
    (RESULTS_DIR / "results.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
