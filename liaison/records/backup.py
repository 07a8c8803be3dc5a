"""Backup and restore of a Liaison installation: the database and the attached files in one archive.

An archive (``.tar.gz``) holds:

- ``manifest.json``: format, versions (Liaison, Django, Python, database server), how the
  database was dumped, the migration state, the row count of every table and the SHA-256 of
  every other file in the archive;
- ``database/…``: the database, dumped by the method that suits it —
  SQLite: the sqlite3 online backup API (``db.sqlite3``), a consistent copy while the app runs;
  PostgreSQL: ``pg_dump`` in custom format (``db.dump``) when the client is found (the newest
  ``/usr/lib/postgresql/*/bin``, 15 preferred, then ``PATH``); else Django's ``dumpdata``
  (``db.json``, natural keys; content types, permissions and sessions are rebuilt by ``migrate``);
- ``media/…``: every file under ``MEDIA_ROOT`` (the attachments).

The database is dumped before the files are read. Attachments are stored under their
SHA-256 and never deleted, so every file the dumped database names is in the archive.

A restore goes into an empty installation only (no business records) unless forced. It checks
every checksum before it changes anything, restores the database at the backed-up migration
state, checks the row counts against the manifest, copies the files, then applies the
migrations the code has beyond the backup (``migrate``).
"""

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from liaison.core import clock
from liaison.records.audit import audited_models

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_BACKUP, PG_DUMP, DUMPDATA = "sqlite-backup", "pg_dump", "dumpdata"
DATABASE_FILES = {SQLITE_BACKUP: "database/db.sqlite3", PG_DUMP: "database/db.dump", DUMPDATA: "database/db.json"}
# Rows a fresh installation has after ``migrate`` (seeded reference data): not business data.
SEEDED_MODELS = frozenset({"records.retentionpolicy", "satisfaction.questionnairetemplate", "satisfaction.criterion"})
# Rebuilt by ``migrate`` on the target; left out of a dumpdata dump and of its count check.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "sessions"]
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreReport:
    method: str
    tables: int
    files: int
    migrated: list[str]


# --- helpers --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _liaison_version() -> str:
    try:
        return version("liaison")
    except Exception:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml" if hasattr(settings, "BASE_DIR") else None
        if pyproject is not None and pyproject.exists():
            for line in pyproject.read_text().splitlines():
                if line.startswith("version"):
                    return line.split("=", 1)[1].strip().strip('"')
        return "unknown"


def pg_client(name: str) -> str | None:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``), or None."""
    candidates = [Path("/usr/lib/postgresql/15/bin") / name]
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _pg_args(alias: str) -> tuple[list[str], dict]:
    """Connection options and environment for the PostgreSQL client programs."""
    db = connections[alias].settings_dict
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per table of the database, every table."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def migration_state(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return {}
    state: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def business_rows(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Business records already in the database (seeded reference data aside), per record type."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    found = {}
    for model in audited_models():
        if model._meta.label_lower in SEEDED_MODELS or model._meta.db_table not in existing:
            continue
        count = model._base_manager.using(alias).count()
        if count:
            found[model._meta.label_lower] = count
    return found


def _dumpdata_tables() -> set[str]:
    """Tables a dumpdata dump restores: every model's, minus the ones ``migrate`` rebuilds."""
    excluded_apps = {name for name in DUMPDATA_EXCLUDE if "." not in name}
    excluded_models = {name for name in DUMPDATA_EXCLUDE if "." in name}
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.app_label in excluded_apps or opts.label_lower in excluded_models or not opts.managed:
            continue
        if opts.auto_created and opts.auto_created._meta.label_lower in excluded_models:
            continue
        tables.add(opts.db_table)
    return tables


# --- backup ---------------------------------------------------------------------------------------


def _dump_database(alias: str, folder: Path, method: str | None) -> tuple[str, Path, str]:
    """Dump the database into ``folder``; return the method, the file and the server version."""
    connection = connections[alias]
    connection.ensure_connection()
    vendor = connection.vendor
    if method is None:
        if vendor == "sqlite":
            method = SQLITE_BACKUP
        else:
            method = PG_DUMP if vendor == "postgresql" and pg_client("pg_dump") else DUMPDATA
    target = folder / PurePosixPath(DATABASE_FILES[method]).name
    if method == SQLITE_BACKUP:
        if vendor != "sqlite":
            raise BackupError("The SQLite backup method needs an SQLite database.")
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # online: a consistent copy while others write
        finally:
            destination.close()
        return method, target, sqlite3.sqlite_version
    if method == PG_DUMP:
        program = pg_client("pg_dump")
        if vendor != "postgresql" or program is None:
            raise BackupError("pg_dump needs a PostgreSQL database and the pg_dump program.")
        args, env = _pg_args(alias)
        _run([program, *args, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
              connection.settings_dict["NAME"]], env)
        return method, target, f"PostgreSQL {connection.pg_version}"
    with target.open("w", encoding="utf-8") as handle:
        call_command("dumpdata", database=alias, natural_foreign=True, natural_primary=True,
                     exclude=DUMPDATA_EXCLUDE, format="json", indent=None, stdout=handle)
    return method, target, f"{vendor} {getattr(connection, 'pg_version', '')}".strip()


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return [(path, path.relative_to(root).as_posix()) for path in sorted(root.rglob("*")) if path.is_file()]


def backup_create(*, output: Path | str, alias: str = DEFAULT_DB_ALIAS, method: str | None = None) -> dict:
    """Write one ``.tar.gz`` with the database, the attached files and a manifest; return the manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="liaison-backup-") as scratch:
        folder = Path(scratch)
        counts = table_counts(alias)
        migrations = migration_state(alias)
        method, database_file, server = _dump_database(alias, folder, method)
        members = [(database_file, DATABASE_FILES[method])]
        members += [(path, f"media/{relative}") for path, relative in _media_files()]
        files = {name: _sha256(path) for path, name in members}
        manifest = {
            "format": FORMAT,
            "created_at": clock.now().isoformat(),
            "versions": {
                "liaison": _liaison_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                "database": server,
            },
            "database": {"vendor": connections[alias].vendor, "method": method, "file": DATABASE_FILES[method]},
            "migrations": migrations,
            "tables": counts,
            "files": files,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            payload = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            info.mtime = int(clock.now().timestamp())
            archive.addfile(info, io.BytesIO(payload))
            for path, name in members:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(output)  # a finished archive or none
    return manifest


# --- restore --------------------------------------------------------------------------------------


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def archive_check(path: Path | str) -> dict:
    """Read the manifest and check every file of the archive against its SHA-256; return the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup archive at {path}.")
    try:
        with tarfile.open(path, "r:gz") as archive:
            try:
                manifest = json.load(archive.extractfile(MANIFEST))
            except KeyError:
                raise BackupError("The archive has no manifest.json: it is not a Liaison backup.") from None
            if manifest.get("format") != FORMAT:
                raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
            expected = dict(manifest["files"])
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if not member.isfile() or not _safe(member.name) or member.name not in expected:
                    raise BackupError(f"Unexpected entry in the archive: {member.name}")
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                if digest.hexdigest() != expected.pop(member.name):
                    raise BackupError(f"Checksum mismatch for {member.name}: the archive is damaged.")
            if expected:
                raise BackupError(f"Missing from the archive: {', '.join(sorted(expected))}")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"The archive cannot be read: {error}") from None
    return manifest


def _restore_sqlite(alias: str, source: Path) -> None:
    connection = connections[alias]
    connection.close()
    connection.ensure_connection()
    origin = sqlite3.connect(source)
    try:
        origin.backup(connection.connection)
    finally:
        origin.close()
    connection.close()


def _restore_pg_dump(alias: str, source: Path) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError("This backup was made with pg_dump; restore it into a PostgreSQL database.")
    program = pg_client("pg_restore")
    if program is None:
        raise BackupError("pg_restore was not found; install the PostgreSQL client programs.")
    connection.close()
    args, env = _pg_args(alias)
    _run([program, *args, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(source)], env)


def _restore_dumpdata(alias: str, source: Path, migrations: dict[str, list[str]]) -> None:
    loader = MigrationLoader(connections[alias])
    for app, names in migrations.items():
        # The last migration of the app at the backup (leaf of the applied ones in the graph).
        applied = {(app, name) for name in names}
        leaves = [key for key in applied if not any(
            child in applied for child in loader.graph.node_map[key].children)] if app in loader.migrated_apps else []
        for leaf in leaves:
            call_command("migrate", app, leaf[1], database=alias, verbosity=0, interactive=False)
    call_command("loaddata", str(source), database=alias, verbosity=0)


def _restore_media(manifest: dict, folder: Path, *, force: bool) -> int:
    root = Path(settings.MEDIA_ROOT)
    names = [name for name in manifest["files"] if name.startswith("media/")]
    for name in names:  # refuse before writing anything
        target = root / name.removeprefix("media/")
        if target.exists() and not force and _sha256(target) != manifest["files"][name]:
            raise BackupError(f"{target} exists with other content; restore with --force to replace it.")
    for name in names:
        target = root / name.removeprefix("media/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / name, target)
    return len(names)


def backup_restore(*, archive: Path | str, alias: str = DEFAULT_DB_ALIAS, force: bool = False,
                   migrate: bool = True) -> RestoreReport:
    """Restore an archive made by ``backup_create`` into an empty installation."""
    manifest = archive_check(archive)
    method = manifest["database"]["method"]
    present = business_rows(alias)
    if present and not force:
        listed = ", ".join(f"{label} ({count})" for label, count in sorted(present.items()))
        raise BackupError(
            f"The database already holds business records: {listed}. Restore into an empty installation, "
            "or use --force to replace them."
        )
    vendor = connections[alias].vendor
    if method == SQLITE_BACKUP and vendor != "sqlite":
        raise BackupError("This backup is an SQLite database; restore it into an SQLite installation.")
    with tempfile.TemporaryDirectory(prefix="liaison-restore-") as scratch:
        folder = Path(scratch)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")
        source = folder / manifest["database"]["file"]
        if method == SQLITE_BACKUP:
            _restore_sqlite(alias, source)
        elif method == PG_DUMP:
            _restore_pg_dump(alias, source)
        else:
            _restore_dumpdata(alias, source, manifest["migrations"])
        restored = table_counts(alias)
        check = _dumpdata_tables() if method == DUMPDATA else set(manifest["tables"])
        wrong = [
            f"{table}: {restored.get(table)} rows, {count} in the backup"
            for table, count in manifest["tables"].items()
            if table in check and restored.get(table) != count
        ]
        if wrong:
            raise BackupError("The restored database differs from the backup: " + "; ".join(wrong))
        files = _restore_media(manifest, folder, force=force)
    before = migration_state(alias)
    if migrate:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    after = migration_state(alias)
    applied = [f"{app}.{name}" for app, names in after.items() for name in names if name not in before.get(app, [])]
    return RestoreReport(method=method, tables=len(restored), files=files, migrated=applied)
