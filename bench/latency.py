#!/usr/bin/env python
"""Server-side latency (p50/p95/max) and query counts of the main pages and API endpoints.

    .venv/bin/python bench/latency.py --database-url postgres://…/liaison --requests 30 --label 10x

In-process, with Django's test ``Client`` signed in as a demo user of the role that
uses the page (no network, no browser): the time from request to response, rendering
included. Each page is asked ``--warmup`` times first (caches, the planner), then
``--requests`` times, rotating over a sample of records for the record pages.
The number of queries of each request is kept too; ``--queries-only`` skips the timing.
Query counts recorded under two labels (``1x`` and ``10x`` data) are compared: a page
whose count grows with the data is flagged.
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, load_average, record, say, setup_django, summary_ms, vendor  # noqa: E402

TARGET_P95_MS = 100


def sample_ids() -> dict:
    """Records the record pages rotate over, and a search term that finds some customers."""
    from liaison.customers.models import Customer
    from liaison.orders.models import Order
    from liaison.quality.models import Complaint
    from liaison.satisfaction.models import SurveyRound

    rng = random.Random(11)

    def sample(model, n=8):
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        first = model.objects.order_by("pk").values_list("pk", flat=True).first() or 0
        ids = set()
        for _attempt in range(n * 4):
            pk = rng.randint(first, last)
            found = model.objects.filter(pk__gte=pk).order_by("pk").values_list("pk", flat=True).first()
            if found:
                ids.add(found)
            if len(ids) >= n:
                break
        return sorted(ids)

    # The customer with the most orders has the longest timeline.
    busiest = Order.objects.values("customer").order_by("customer").first()
    customers = sample(Customer)
    if busiest:
        customers[0] = busiest["customer"]
    term_source = Customer.objects.filter(pk__in=customers).exclude(short_name="").first()
    round_ = SurveyRound.objects.filter(sent_at__isnull=False).order_by("-planned_send_on").first()
    return {
        "orders": sample(Order),
        "customers": customers,
        "complaints": sample(Complaint),
        "round": round_.pk if round_ else None,
        # Two characters of a short name: a search that finds a handful of customers among many.
        "term": term_source.short_name[:2] if term_source else "恒達",
    }


def pages(ids: dict) -> list[tuple[str, str, list[str]]]:
    """(name, user, URLs to rotate over) for each page measured."""
    from urllib.parse import quote

    term = quote(ids["term"])
    rounds = [f"/satisfaction/rounds/{ids['round']}/"] if ids["round"] else []
    analysis = [f"/satisfaction/analysis/?round={ids['round']}"] if ids["round"] else []
    return [
        ("order log (admin changelist)", "sales", ["/admin/orders/order/"]),
        ("order search", "sales", [f"/admin/orders/order/?q={term}"]),
        ("order page", "sales", [f"/orders/{pk}/" for pk in ids["orders"]]),
        ("customer page (timeline)", "sales", [f"/customers/{pk}/" for pk in ids["customers"]]),
        ("customer search", "sales", [f"/admin/customers/customer/?q={term}"]),
        ("complaint list", "qchead", ["/admin/quality/complaint/"]),
        ("complaint page", "qchead", [f"/quality/{pk}/" for pk in ids["complaints"]]),
        ("CAPA list", "qchead", ["/admin/quality/caparequest/"]),
        ("inbox", "sales", ["/inbox/"]),
        ("dashboard", "manager", ["/admin/"]),
        ("survey round page", "sales", rounds),
        ("survey analysis page", "manager", analysis),
        ("GET /api/v1/orders/", "sales", ["/api/v1/orders/"]),
        ("GET /api/v1/customers/?q=", "sales", [f"/api/v1/customers/?q={term}"]),
        ("GET /api/v1/complaints/", "qchead", ["/api/v1/complaints/"]),
    ]


def measure(*, requests: int, warmup: int, queries_only: bool, only: str = "") -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from liaison.core.models import User

    ids = sample_ids()
    clients = {}
    out = {}
    for name, username, urls in pages(ids):
        if not urls or (only and only.lower() not in name.lower()):
            continue
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client = clients[username]
        counts = []
        statuses = set()
        for url in urls:  # the query count of each record, warm
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            statuses.add(response.status_code)
            counts.append(len(captured))
        row = {"user": username, "status": sorted(statuses), "queries_min": min(counts), "queries_max": max(counts),
               "example": urls[0]}
        if not queries_only:
            for index in range(warmup):
                client.get(urls[index % len(urls)])
            durations = []
            for index in range(requests):
                url = urls[index % len(urls)]
                started = time.perf_counter()
                client.get(url)
                durations.append(time.perf_counter() - started)
            row.update(summary_ms(durations))
            row["meets_target"] = row["p95_ms"] <= TARGET_P95_MS
        out[name] = row
        timing = "" if queries_only else f"p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  max {row['max_ms']:7.1f} ms"
        say(f"  {name:32} {str(row['status']):7} queries {row['queries_min']:>3}–{row['queries_max']:<3} {timing}")
    return out


def compare_queries(results: dict) -> dict:
    """Pages whose number of queries grows from 1× to 10× data."""
    per_label = results.get("queries", {})
    small, large = per_label.get("1x", {}).get("pages", {}), per_label.get("10x", {}).get("pages", {})
    table = {}
    for name, row in large.items():
        if name not in small:
            continue
        before, after = small[name]["queries_max"], row["queries_max"]
        table[name] = {"1x": before, "10x": after, "grows": after > before}
    return table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--label", default="", help="record query counts under this label (1x, 10x)")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    from liaison.orders.models import Order

    db = vendor()
    say(f"Latency on {db} ({Order.objects.count():,} orders), load average {load_average()}")
    started_load = load_average()
    measured = measure(requests=args.requests, warmup=args.warmup, queries_only=args.queries_only, only=args.only)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    info = {"orders": Order.objects.count(), "load_average_before": started_load, "load_average_after": load_average(),
            "requests": args.requests, "pages": measured}
    if args.label:
        queries = results.get("queries", {})
        queries[args.label] = {"database": db, **info}
        record("queries", queries)
        results = json.loads(RESULTS.read_text())
        table = compare_queries(results)
        if table:
            record("queries_growth", table)
            for name, row in table.items():
                if row["grows"]:
                    say(f"  GROWS: {name}: {row['1x']} → {row['10x']} queries")
    if not args.queries_only:
        latency = results.get("latency", {})
        latency[db] = info
        record("latency", latency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
