"""Run the procedure's timed jobs once: chasing surveys, closing rounds, …

Run it from cron (or a systemd timer) once a day, e.g. ``15 6 * * *``. Every job is
safe to run twice on a day and right when a day was missed: each one works from the
dates stored on the records, not from when it last ran.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# name → dotted path of a ``django.tasks`` task taking no arguments. Apps add their job here.
JOBS = {
    "surveys": "liaison.satisfaction.tasks.surveys_run_daily",
    # archive, log and dispose of the records past retention (not on legal hold).
    "retention": "liaison.records.tasks.dispose_records",
}


class Command(BaseCommand):
    help = "Run the procedure's timed jobs once (chase survey forms on day 15, close finished rounds, …)."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", choices=sorted(JOBS), help="Run only this job (repeatable).")
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the jobs to the task queue instead of running them here."
        )

    def handle(self, *args, only=None, enqueue=False, **options):
        failed = []
        for name in only or JOBS:
            job = import_string(JOBS[name])
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
