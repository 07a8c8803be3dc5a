#!/usr/bin/env python
"""Faults during writes: a gunicorn worker killed, PostgreSQL stopped, the task worker killed mid-job.

    scripts/pg-throwaway .venv/bin/python bench/faults.py --seconds 20

Not part of ``make test`` (it kills processes and stops the database). Needs the
throwaway cluster of ``scripts/pg-throwaway``: the PostgreSQL scenario refuses to stop
a server whose data directory is not one of its temporary ones.

1. kill -9 of a gunicorn worker, twice, while clients register orders: afterwards every
   order has its lines and its review round, every number is there once and the
   counters equal the numbers handed out (no gap, no partial order).
2. PostgreSQL stopped for a few seconds during the same load: clients get errors
   (5xx or refused connections, counted), nothing is half-written, and registering
   works again once the server is back.
3. ``manage.py db_worker`` (django-tasks-db) killed while it runs the disposal job
   (dry run): after the scheduler's recovery step, is the job run again, once, by the next worker?
"""

import argparse
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, load_average, record, say, setup_django  # noqa: E402
from bench.server import Gunicorn, hammer  # noqa: E402
from bench.writes import payload_makers  # noqa: E402


def integrity() -> dict:
    """No partial orders, numbers once each, counters equal to the numbers handed out."""
    from django.db.models import Count

    from liaison.core.models import DocumentCounter
    from liaison.orders.models import Order
    from liaison.quality.models import Complaint
    from liaison.records.models import DisposalLogEntry

    no_lines = Order.objects.annotate(n=Count("lines")).filter(n=0).count()
    no_round = Order.objects.annotate(n=Count("review_rounds")).filter(n=0).count()
    counters = {}
    for counter in DocumentCounter.objects.filter(doc_type__in=["ORD", "CMP"]):
        prefix = f"{counter.doc_type}-{counter.year}-"
        model = Order if counter.doc_type == "ORD" else Complaint
        # Records past retention are disposed of: their numbers stay in the disposal log.
        numbers = list(model.objects.filter(number__startswith=prefix).values_list("number", flat=True).iterator())
        disposed = list(DisposalLogEntry.objects.filter(
            record_type="F1" if counter.doc_type == "ORD" else "F6", number__startswith=prefix,
        ).values_list("number", flat=True))
        every = [int(n.rsplit("-", 1)[1]) for n in numbers + disposed]
        counters[f"{counter.doc_type}-{counter.year}"] = {
            "counter": counter.last_number, "records": len(numbers), "disposed": len(disposed),
            "highest": max(every, default=0),
            # Each number from 1 to the counter exactly once, live or in the disposal log.
            "consistent": sorted(every) == list(range(1, counter.last_number + 1)),
        }
    ok = no_lines == 0 and no_round == 0 and all(c["consistent"] for c in counters.values())
    return {"orders_without_lines": no_lines, "orders_without_review_round": no_round, "counters": counters, "ok": ok}


def kill_workers(*, database_url: str, seconds: float, clients: int) -> dict:
    from liaison.orders.models import Order

    makers = payload_makers(seed=21)
    before = Order.objects.count()
    killed = []
    with Gunicorn(database_url=database_url) as server:
        def killer():
            for fraction in (1 / 3, 2 / 3):
                time.sleep(seconds * fraction - (seconds / 3 if killed else 0))
                pids = server.worker_pids()
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
                    say(f"  killed worker {pids[0]} with SIGKILL")

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        tally, _elapsed = hammer(port=server.port, make_request=makers["order"], clients=clients, seconds=seconds)
        thread.join()
    created = Order.objects.count() - before
    check = integrity()
    out = {"killed": killed, "ok_responses": len(tally.durations), "errors": tally.errors, "orders_created": created,
           # A worker killed after its commit and before its answer leaves an order the client never heard of.
           "created_without_answer": created - len(tally.durations), **check}
    say(f"  kill -9: {len(tally.durations)} answered, {tally.error_count} errors {tally.errors}, "
        f"{created} orders created; integrity {'OK' if check['ok'] else 'BROKEN'}")
    return out


def _pg(*args: str) -> subprocess.CompletedProcess:
    pg_bin = os.environ.get("PG_BIN") or next(
        str(p.parent) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True))
    owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    return subprocess.run([*owner, f"{pg_bin}/pg_ctl", *args], capture_output=True, text=True)


def stop_postgres(*, database_url: str, seconds: float, clients: int, outage: float) -> dict:
    from django.db import connection

    from liaison.orders.models import Order

    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        data = cursor.fetchone()[0]
    if "liaison-pg." not in data:
        return {"skipped": f"{data} is not a scripts/pg-throwaway cluster: not stopping it"}
    options = shlex.split(Path(data, "postmaster.opts").read_text())[1:]
    if "-D" in options:
        index = options.index("-D")
        del options[index:index + 2]
    connection.close()
    makers = payload_makers(seed=33)
    before = Order.objects.count()
    connection.close()
    events = {}
    with Gunicorn(database_url=database_url) as server:
        def outage_thread():
            time.sleep(seconds / 3)
            events["stopped_at"] = time.monotonic()
            say(f"  stopping PostgreSQL: {_pg('-D', data, '-m', 'fast', '-w', 'stop').returncode == 0}")
            time.sleep(outage)
            started = _pg("-D", data, "-l", str(Path(data).parent / "server.log"), "-w", "-o", shlex.join(options),
                          "start")
            events["started_at"] = time.monotonic()
            say(f"  PostgreSQL started again: {started.returncode == 0} {started.stderr.strip()[:200]}")

        thread = threading.Thread(target=outage_thread, daemon=True)
        thread.start()
        tally, _elapsed = hammer(port=server.port, make_request=makers["order"], clients=clients, seconds=seconds)
        thread.join()
        # Work resumes: a few registrations after the restart.
        after, _ = hammer(port=server.port, make_request=makers["order"], clients=2, seconds=5)
    connection.close()
    created = Order.objects.count() - before
    check = integrity()
    out = {"outage_s": outage, "ok_responses": len(tally.durations), "errors": tally.errors,
           "ok_after_restart": len(after.durations), "errors_after_restart": after.errors,
           "orders_created": created, **check}
    say(f"  PostgreSQL stop: {len(tally.durations)} answered, errors {tally.errors}; after restart "
        f"{len(after.durations)} answered, errors {after.errors}; integrity {'OK' if check['ok'] else 'BROKEN'}")
    return out


def kill_task_worker(*, database_url: str) -> dict:
    from django_tasks_db.models import DBTaskResult

    from liaison.records.tasks import dispose_records

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": database_url}
    result = dispose_records.enqueue(dry_run=True)
    command = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "db_worker", "--batch", "--no-startup-delay",
               "--interval", "0.2"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline:
        status = DBTaskResult.objects.get(pk=result.id).status
        if status != "READY":
            break
        time.sleep(0.05)
    killed_while = status
    if status == "RUNNING":
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    say(f"  task worker killed while the job was {killed_while}")
    # The scheduler's recovery step (run before each day's jobs, or hourly with --recover-only) puts a job
    # whose worker is gone back in the queue. Instead of waiting the 6 h default, the job's start is moved two
    # minutes back and the step told that one minute is stale.
    import datetime as dt

    from django.db.models import F

    DBTaskResult.objects.filter(pk=result.id).update(started_at=F("started_at") - dt.timedelta(minutes=2))
    recover = subprocess.run([*command[:2], "liaison_scheduler", "--recover-only", "--stale-minutes", "1"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    say(f"  liaison_scheduler --recover-only: exit {recover.returncode}; job now "
        f"{DBTaskResult.objects.get(pk=result.id).status}")
    # The next worker: does it pick the job up again?
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    row = DBTaskResult.objects.get(pk=result.id)
    out = {"killed_while": killed_while, "status_after_next_worker": row.status,
           "worker_ids": row.worker_ids, "second_worker_exit": second.returncode,
           "ran_again": len(row.worker_ids) > 1 and row.status == "SUCCESSFUL"}
    say(f"  after the next worker: status {row.status}, workers {row.worker_ids} "
        f"({'ran again' if out['ran_again'] else 'NOT run again'})")
    if not out["ran_again"]:
        # Leave the queue clean for other runs: the stuck row would block nothing but confuses the admin.
        DBTaskResult.objects.filter(pk=result.id, status="RUNNING").update(status="FAILED")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--outage", type=float, default=5)
    parser.add_argument("--skip", default="", help="comma-separated: kill,postgres,tasks")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    url = args.database_url or os.environ["DATABASE_URL"]
    skip = set(filter(None, args.skip.split(",")))
    say(f"Faults, load average {load_average()}")
    out = {"load_average_before": load_average()}
    if "kill" not in skip:
        out["kill_worker"] = kill_workers(database_url=url, seconds=args.seconds, clients=args.clients)
    if "postgres" not in skip:
        out["stop_postgres"] = stop_postgres(database_url=url, seconds=args.seconds, clients=args.clients,
                                             outage=args.outage)
    if "tasks" not in skip:
        out["kill_task_worker"] = kill_task_worker(database_url=url)
    record("faults", out)
    # Answers the run's question: 0 when the data stayed whole everywhere.
    whole = all(part.get("ok", True) for part in out.values() if isinstance(part, dict))
    return 0 if whole else 1


if __name__ == "__main__":
    sys.exit(main())
