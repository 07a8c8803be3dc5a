"""Write a backup archive: the database, the attached files and a manifest with checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.records.backup import DUMPDATA, PG_DUMP, SQLITE_BACKUP, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and the attached files (MEDIA_ROOT) into one .tar.gz with a manifest "
        "(versions, migration state, rows per table, SHA-256 per file). SQLite is copied with the online "
        "backup API, PostgreSQL with pg_dump (custom format) when found, else with dumpdata."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Path of the archive to write (.tar.gz).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--method", choices=[SQLITE_BACKUP, PG_DUMP, DUMPDATA], default=None,
            help="How to dump the database (default: the best for its engine).",
        )

    def handle(self, *args, output, database, method, **options):
        try:
            manifest = backup_create(output=Path(output), alias=database, method=method)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = sum(1 for name in manifest["files"] if name.startswith("media/"))
        rows = sum(manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {output}: database by {manifest['database']['method']} "
            f"({len(manifest['tables'])} tables, {rows} rows), {files} attached files."
        ))
