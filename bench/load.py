#!/usr/bin/env python
"""Load: simulated users over the main flows on gunicorn + PostgreSQL; errors, p95, throughput.

    scripts/pg-throwaway .venv/bin/python bench/load.py --users 50 --seconds 300

Each simulated user (a thread, token auth, a new connection per request) loops over a
mix of the main flows with a short think time: browse the order log (API list and its
search), open an order, open a customer, register an order, register a complaint,
open the complaint and CAPA lists (API), the inbox and the dashboard (pages, session cookie). Reports per flow and overall: requests, errors,
p50/p95/max and requests per second.
"""

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_average, record, say, setup_django, summary_ms  # noqa: E402
from bench.server import Gunicorn, Tally, request  # noqa: E402
from bench.writes import payload_makers  # noqa: E402

# flow → weight in the mix (reads dominate, as at a desk).
MIX = {
    "order log": 25, "order search": 10, "open order": 20, "open customer": 10,
    "register order": 10, "register complaint": 5, "complaint list": 10, "CAPA list": 5, "dashboard": 3, "inbox": 2,
}


def session_cookie(user) -> str:
    """A signed-in session for ``user``, as a browser would hold it after signing in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "liaison.core.roles.RoleModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def flows():
    from liaison.customers.models import Customer
    from liaison.orders.models import Order

    makers = payload_makers(seed=44)
    keys = {name: maker(0)[3] for name, maker in makers.items()}
    token = keys["order"]
    orders = list(Order.objects.order_by("?").values_list("pk", flat=True)[:500])
    customers = list(Customer.objects.order_by("?").values_list("pk", "short_name")[:200])
    from rest_framework.authtoken.models import Token

    from liaison.core.models import User

    qc = Token.objects.get_or_create(user=User.objects.get(username="qchead"))[0].key
    sales_session = session_cookie(User.objects.get(username="sales"))
    manager_session = session_cookie(User.objects.get(username="manager"))

    def pick(rng, name):
        if name == "order log":
            return "GET", f"/api/v1/orders/?page={rng.randint(1, 20)}", None, token
        if name == "order search":
            return "GET", f"/api/v1/orders/?q={quote(rng.choice(customers)[1][:2] or 'ORD')}", None, token
        if name == "open order":
            return "GET", f"/api/v1/orders/{rng.choice(orders)}/", None, token
        if name == "open customer":
            return "GET", f"/api/v1/customers/{rng.choice(customers)[0]}/", None, token
        if name == "register order":
            return makers["order"](rng.randint(0, 10**9))
        if name == "register complaint":
            return makers["complaint"](rng.randint(0, 10**9))
        if name == "complaint list":
            return "GET", "/api/v1/complaints/", None, qc
        if name == "CAPA list":
            return "GET", "/api/v1/capa-requests/", None, qc
        if name == "inbox":
            return "GET", "/inbox/", None, sales_session
        return "GET", "/admin/", None, manager_session

    return pick


def run(*, database_url: str, users: int, seconds: float, think: float) -> dict:
    pick = flows()
    names, weights = list(MIX), list(MIX.values())
    tallies = {name: Tally() for name in names}
    out = {"users": users, "seconds": seconds, "think_s": think, "load_average_before": load_average()}
    with Gunicorn(database_url=database_url) as server:
        out["workers"] = server.workers
        stop = time.monotonic() + seconds

        def user(index):
            rng = random.Random(index)
            time.sleep(rng.random() * 2)  # users arrive over two seconds
            while time.monotonic() < stop:
                name = rng.choices(names, weights)[0]
                method, path, body, token = pick(rng, name)
                started = time.perf_counter()
                try:
                    status, _ = request(method, server.port, path, body=body, token=token)
                except OSError as error:
                    tallies[name].error(f"connection: {type(error).__name__}")
                else:
                    if status in (200, 201):
                        tallies[name].ok(time.perf_counter() - started)
                    else:
                        tallies[name].error(f"HTTP {status}")
                time.sleep(rng.uniform(0, 2 * think))

        threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    everything = [d for t in tallies.values() for d in t.durations]
    errors = sum(t.error_count for t in tallies.values())
    out["flows"] = {name: {**summary_ms(t.durations), "errors": t.errors} for name, t in tallies.items()}
    out["total"] = {**summary_ms(everything), "errors": errors, "per_second": round(len(everything) / elapsed, 1)}
    out["load_average_after"] = load_average()
    for name, row in out["flows"].items():
        say(f"  {name:20} n {row['n']:5}  p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  max {row['max_ms']:7.1f} ms"
            f"  errors {row['errors'] or 0}")
    total = out["total"]
    say(f"  total: {total['n']} requests, {total['per_second']} req/s, p95 {total['p95_ms']} ms, {errors} errors")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.5, help="mean think time between a user's requests (s)")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    url = args.database_url or os.environ["DATABASE_URL"]
    say(f"Load: {args.users} users for {args.seconds:.0f} s, load average {load_average()}")
    record("load", run(database_url=url, users=args.users, seconds=args.seconds, think=args.think))
    return 0


if __name__ == "__main__":
    sys.exit(main())
