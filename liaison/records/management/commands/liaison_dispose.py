"""Dispose of the records whose retention has ended, after archiving and logging each one (R-5.7)."""

from django.core.management.base import BaseCommand, CommandError

from liaison.core.errors import LiaisonError
from liaison.records import archive, services


class Command(BaseCommand):
    help = (
        "Archive (PDF + JSON with history, SHA-256 checked), log and delete every record past its "
        "retention and not on legal hold. --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be disposed of; change nothing.")
        parser.add_argument("--batch-size", type=int, default=50, help="Records per transaction (default 50).")
        parser.add_argument(
            "--archive-dir", default=None, help="Archive folder (default: LIAISON_ARCHIVE_DIR, else var/archive)."
        )

    def handle(self, *args, dry_run: bool, batch_size: int, archive_dir: str | None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        root = archive.archive_root(archive_dir)
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}archive folder {root}")
        try:
            report = services.disposal_run(
                dry_run=dry_run, batch_size=batch_size, archive_dir=root, progress=self.stdout.write
            )
        except LiaisonError as error:
            raise CommandError(str(error)) from error
        run = report.run
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run: {len(report.due)} record(s) past retention; nothing changed."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Disposal run {run.pk}: {run.disposed} record(s) disposed of."))
