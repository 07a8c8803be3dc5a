#!/usr/bin/env python
"""Write throughput through the API against gunicorn, next to the framework floor.

    .venv/bin/python bench/writes.py --database-url postgres://…/liaison --seconds 20 --clients 8

Three scenarios, each for ``--seconds`` with ``--clients`` concurrent client threads on
loopback (token auth, a new connection per request as gunicorn's sync workers want):
the floor (``POST /bench/floor/``: a bare DRF view doing one INSERT into a trivial
table), "register an order" (``POST /api/v1/orders/``: 1–3 lines, number, F2 round with
its sign-off lines, timeline, history) and "register a complaint" (``POST
/api/v1/complaints/``). The floor is measured before and after the two product
writes and averaged, so a change of machine load during the run shows.
Target: each product write ≥ 50 % of the floor's requests per second.
"""

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_average, record, say, setup_django, summary_ms  # noqa: E402
from bench.server import Gunicorn, hammer  # noqa: E402

TARGET_RATIO = 0.5


def tokens() -> dict[str, str]:
    from rest_framework.authtoken.models import Token

    from liaison.core.models import User

    return {name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
            for name in ("sales", "qchead")}


def payload_makers(seed: int = 5):
    """Functions index → (method, path, body, token) for each scenario."""
    from liaison.customers.models import Customer
    from liaison.stock.models import Product

    keys = tokens()
    customers = list(Customer.objects.filter(status="active").order_by("?").values_list("pk", flat=True)[:2000])
    products = list(Product.objects.filter(active=True).values_list("pk", flat=True))
    rng = random.Random(seed)
    today = dt.date.today()
    yesterday = (today - dt.timedelta(days=1)).isoformat()

    def floor(index):
        return "POST", "/bench/floor/", {"name": f"row {index}"}, keys["sales"]

    def order(index):
        lines = [{"product": pk, "quantity": str(rng.randrange(100, 5000, 50)), "specification": "",
                  "required_date": (today + dt.timedelta(days=rng.randint(20, 60))).isoformat()}
                 for pk in rng.sample(products, rng.randint(1, 3))]
        body = {"customer": rng.choice(customers), "channel": "email", "customer_po": f"BENCH-{index}",
                "lines": lines}
        return "POST", "/api/v1/orders/", body, keys["sales"]

    def complaint(index):
        body = {"customer": rng.choice(customers), "channel": "phone", "complaint_date": yesterday,
                "content": f"客戶來電反映第{index}批貨表面刮傷，要求退換貨。"}
        return "POST", "/api/v1/complaints/", body, keys["sales"]

    return {"floor": floor, "order": order, "complaint": complaint}


def queries_per_write(makers) -> dict:
    """How many queries one request of each scenario runs (in-process, one request each)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    client = Client()
    for name, maker in makers.items():
        method, path, body, token = maker(0)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
        counts[name] = {"status": response.status_code, "queries": len(captured)}
        say(f"  {name}: {len(captured)} queries (HTTP {response.status_code})")
    return counts


def run(*, database_url: str, seconds: float, clients: int) -> dict:
    makers = payload_makers()
    out = {"clients": clients, "seconds_each": seconds, "load_average_before": load_average(),
           "queries_per_request": queries_per_write(makers)}
    with Gunicorn(database_url=database_url) as server:
        out["workers"] = server.workers
        # A short warm-up of each path: imports, connections, the planner.
        for maker in makers.values():
            hammer(port=server.port, make_request=maker, clients=2, seconds=2)
        for name in ("floor", "order", "complaint", "floor_after"):
            tally, elapsed = hammer(port=server.port, make_request=makers[name.removesuffix("_after")],
                                    clients=clients, seconds=seconds)
            row = {"requests_ok": len(tally.durations), "errors": tally.errors,
                   "per_second": round(len(tally.durations) / elapsed, 1), **summary_ms(tally.durations)}
            out[name] = row
            say(f"  {name:12} {row['per_second']:7.1f} req/s  p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f} ms"
                f"  errors {tally.error_count}")
    floor = (out["floor"]["per_second"] + out["floor_after"]["per_second"]) / 2
    out["floor_per_second"] = round(floor, 1)
    for name in ("order", "complaint"):
        ratio = out[name]["per_second"] / floor if floor else 0
        out[name]["ratio_to_floor"] = round(ratio, 2)
        out[name]["meets_target"] = ratio >= TARGET_RATIO
        say(f"  {name}: {ratio:.0%} of the floor ({'meets' if ratio >= TARGET_RATIO else 'misses'} the 50 % target)")
    out["load_average_after"] = load_average()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    from django.conf import settings

    url = args.database_url or os.environ["DATABASE_URL"]
    say(f"Writes through gunicorn on {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"load average {load_average()}")
    record("writes", run(database_url=url, seconds=args.seconds, clients=args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(main())
