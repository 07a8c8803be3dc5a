"""Restore a backup archive into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.records.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by liaison_backup into an EMPTY installation: checks every checksum "
        "first, restores the database at the backed-up migration state, checks the row counts, copies the "
        "attached files into MEDIA_ROOT, then applies newer migrations. Refuses a database holding business "
        "records unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="The archive to restore (.tar.gz).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument("--force", action="store_true", help="Replace business records already there.")
        parser.add_argument("--no-migrate", action="store_true", help="Leave the schema at the backed-up state.")

    def handle(self, *args, input, database, force, no_migrate, **options):
        try:
            report = backup_restore(archive=Path(input), alias=database, force=force, migrate=not no_migrate)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Restored {input}: database by {report.method} ({report.tables} tables), {report.files} attached "
            f"files." + (f" Migrations applied since the backup: {', '.join(report.migrated)}." if report.migrated
                         else "")
        ))
