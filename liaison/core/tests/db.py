"""Database helpers of the test kit."""

import contextlib
import importlib

from django.apps import apps as django_apps
from django.db import transaction


@contextlib.contextmanager
def rolled_back():
    """A transaction undone at its end, marked as a test's own as Django's ``TestCase`` marks its.

    The procedure's public steps open durable transactions, which refuse to nest inside another
    block; inside a test's own block they may, as they do inside every test.
    """
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)


def data_migration_run(package: str, migration: str) -> None:
    """Run the forward function of a data migration on the test database's current rows.

    The function reads models through ``apps.get_model``; today's models have every field it
    reads, so it runs here on records the test wrote the way older releases wrote them.
    """
    module = importlib.import_module(f"liaison.{package}.migrations.{migration}")
    (operation,) = module.Migration.operations
    operation.code(django_apps, None)
