"""Backup and restore (issue 6 item 6): one archive with the database, the attachments and a manifest.

The round trips run the commands as an operator would, in their own processes, each against
its own database (an SQLite file; on PostgreSQL, new databases in the cluster of DATABASE_URL),
and compare every table row by row — business records and their history — and every file
byte for byte.
"""

import filecmp
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from liaison.customers.models import Customer
from liaison.customers.tests.factories import CustomerFactory
from liaison.records.backup import BackupError, archive_check, backup_create, backup_restore

ROOT = Path(settings.BASE_DIR) if hasattr(settings, "BASE_DIR") else Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8

# Records with history (a change with its reason) and an attached scan, made through the services.
MAKE_RECORDS = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from liaison.core.roles import Role
from liaison.core.services import attachment_add
from liaison.core.tests.factories import UserFactory
from liaison.customers.models import Customer
from liaison.customers.services import customer_save
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.stock.tests.factories import ProductFactory
clerk = UserFactory(username="backup-clerk", roles=[Role.SALES_ADMIN])
customer = CustomerFactory(actor=clerk, phone="0769-1000")
ContactFactory(customer=customer, actor=clerk)
ProductFactory.create_batch(3)
customer = Customer.objects.get(pk=customer.pk)
customer.phone = "0769-2000"
customer_save(customer=customer, actor=clerk, reason="Changed before the backup")
attachment_add(owner=customer, upload=SimpleUploadedFile("scan.png", {PNG!r}, content_type="image/png"), actor=clerk)
"""


def _manage(*args, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LIAISON_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return result


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _files(root: Path) -> dict[str, Path]:
    return {path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()}


def _assert_same_files(source: Path, target: Path) -> None:
    before, after = _files(source), _files(target)
    assert before and set(before) == set(after)
    for name, path in before.items():
        assert filecmp.cmp(path, after[name], shallow=False), name


def _round_trip(tmp_path, *, source_url: str, target_url: str) -> dict:
    """Make records in the source, back it up, restore into the empty target; return the manifest."""
    source_media, target_media = tmp_path / "media-source", tmp_path / "media-target"
    archive = tmp_path / "backup.tar.gz"
    _ok(_manage("migrate", "-v0", database_url=source_url, media=source_media))
    _ok(_manage("shell", "-c", MAKE_RECORDS, database_url=source_url, media=source_media))
    _ok(_manage("liaison_backup", "--output", str(archive), database_url=source_url, media=source_media))
    manifest = archive_check(archive)
    assert any(name.startswith("media/attachments/") for name in manifest["files"])
    assert manifest["tables"]["customers_historicalcustomer"] == 2
    assert manifest["migrations"]["records"]

    out = _ok(_manage("liaison_restore", "--input", str(archive), database_url=target_url, media=target_media))
    assert "Restored" in out
    _assert_same_files(source_media, target_media)
    # A second restore finds the records and refuses.
    again = _manage("liaison_restore", "--input", str(archive), database_url=target_url, media=target_media)
    assert again.returncode != 0 and "already holds business records" in again.stderr
    return manifest


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_rows(path: Path) -> dict[str, list]:
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))) for table in tables}
    finally:
        connection.close()


def test_r_5_7_sqlite_round_trip_keeps_every_row_history_and_file(tmp_path):
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"

    manifest = _round_trip(tmp_path, source_url=f"sqlite:///{source}", target_url=f"sqlite:///{target}")

    assert manifest["database"]["method"] == "sqlite-backup"
    before, after = _sqlite_rows(source), _sqlite_rows(target)
    assert set(before) == set(after)
    for table in before:
        assert before[table] == after[table], table
    history = [row for row in after["customers_historicalcustomer"] if "Changed before the backup" in row]
    assert len(history) == 1


# --- PostgreSQL -----------------------------------------------------------------------------------


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.skipif(_postgres_url() is None, reason="needs PostgreSQL (DATABASE_URL), e.g. under scripts/pg-throwaway")
def test_r_5_7_postgresql_round_trip_keeps_every_row_history_and_file(tmp_path):
    import psycopg

    url = urlparse(_postgres_url())
    names = [f"liaison_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "target")]
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    source_url, target_url = (url._replace(path=f"/{name}").geturl() for name in names)
    try:
        manifest = _round_trip(tmp_path, source_url=source_url, target_url=target_url)
        assert manifest["database"]["method"] == "pg_dump"

        def rows(database_url):
            with psycopg.connect(database_url) as connection:
                tables = [row[0] for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
                return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))) for table in tables}

        before, after = rows(source_url), rows(target_url)
        assert set(before) == set(after)
        for table in before:
            assert before[table] == after[table], table
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_business_records_and_changes_nothing(tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the in-process backup of the test database is the SQLite one")
    CustomerFactory(registered_name="恒達五金製品有限公司")
    archive = tmp_path / "backup.tar.gz"
    manifest = backup_create(output=archive)
    assert manifest["tables"]["customers_customer"] == 1
    CustomerFactory(registered_name="華南精密電子有限公司")

    with pytest.raises(BackupError, match="already holds business records: customers.customer"):
        backup_restore(archive=archive)

    assert Customer.objects.count() == 2


def _archive(tmp_path, files: dict[str, bytes], manifest_files: dict[str, str]) -> Path:
    path = tmp_path / "made.tar.gz"
    manifest = {"format": 1, "database": {"method": "dumpdata", "file": "database/db.json"}, "files": manifest_files,
                "tables": {}, "migrations": {}}
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in {"manifest.json": json.dumps(manifest).encode(), **files}.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return path


def test_restore_checks_every_checksum_first(tmp_path):
    good = hashlib.sha256(b"[]").hexdigest()
    assert archive_check(_archive(tmp_path, {"database/db.json": b"[]"}, {"database/db.json": good}))

    with pytest.raises(BackupError, match="Checksum mismatch for database/db.json"):
        archive_check(_archive(tmp_path, {"database/db.json": b"[ ]"}, {"database/db.json": good}))
    with pytest.raises(BackupError, match="Missing from the archive: media/a.png"):
        archive_check(_archive(tmp_path, {"database/db.json": b"[]"},
                               {"database/db.json": good, "media/a.png": good}))
    with pytest.raises(BackupError, match="Unexpected entry"):
        archive_check(_archive(tmp_path, {"database/db.json": b"[]", "../evil": b"x"}, {"database/db.json": good}))
    with pytest.raises(BackupError, match="No backup archive"):
        archive_check(tmp_path / "missing.tar.gz")
