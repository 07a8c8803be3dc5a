"""Run the procedure's timed jobs once: chasing surveys, closing rounds, …

Run it from cron (or a systemd timer) once a day, e.g. ``15 6 * * *``. Every job is
safe to run twice on a day and right when a day was missed: each one works from the
dates stored on the records, not from when it last ran.

First it puts back in the queue the jobs a killed task worker left RUNNING
(``liaison.core.scheduler.tasks_recover_stale``); running it more often than daily
(``--recover-only``, e.g. hourly) brings them back sooner.
"""

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from liaison.core.scheduler import DEFAULT_STALE_MINUTES, tasks_recover_stale
from liaison.records.tasks import dispose_records
from liaison.satisfaction.tasks import surveys_run_daily

# name → a ``django.tasks`` task taking no arguments: each area's daily job.
JOBS = {
    # chase the survey forms due a chase, close finished rounds.
    "surveys": surveys_run_daily,
    # archive, log and dispose of the records past retention (not on legal hold).
    "retention": dispose_records,
}


def _minutes(value: str) -> int:
    minutes = int(value)
    if minutes < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return minutes


class Command(BaseCommand):
    help = "Run the procedure's timed jobs once (chase survey forms on day 15, close finished rounds, …)."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", choices=sorted(JOBS), help="Run only this job (repeatable).")
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the jobs to the task queue instead of running them here."
        )
        parser.add_argument(
            "--stale-minutes",
            type=_minutes,
            default=None,
            help="A queued job RUNNING longer than this lost its worker and runs again "
            f"(default: the LIAISON_TASK_STALE_MINUTES setting, {DEFAULT_STALE_MINUTES} when unset).",
        )
        parser.add_argument(
            "--recover-only", action="store_true", help="Only put back the jobs of lost task workers; run no job."
        )

    def handle(self, *args, only=None, enqueue=False, stale_minutes=None, recover_only=False, **options):
        failed = []
        try:
            older_than = dt.timedelta(minutes=stale_minutes) if stale_minutes is not None else None
            for recovered in tasks_recover_stale(older_than=older_than):
                self.stdout.write(f"recovered: {recovered}")
        except Exception as error:  # the day's jobs still run
            failed.append("recover")
            self.stderr.write(f"recover: failed: {error!r}")
        for name in [] if recover_only else only or JOBS:
            job = JOBS[name]
            try:
                if enqueue:
                    result = job.enqueue()
                    self.stdout.write(f"{name}: queued {result.id}")
                else:
                    self.stdout.write(f"{name}: {job.call()}")
            except Exception as error:  # one failing job does not stop the others
                failed.append(name)
                self.stderr.write(f"{name}: failed: {error!r}")
        if failed:
            raise CommandError(f"Jobs failed: {', '.join(failed)}")
