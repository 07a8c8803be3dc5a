"""Trigram indexes for the customer search (PostgreSQL only; nothing on SQLite).

``customer_search`` filters with ``contains`` on ``search_text`` and ``phone``, which Django
writes on PostgreSQL as ``"search_text"::text LIKE '%…%'``; the cast of a text/varchar column
to text is no cast for the planner, so a GIN ``gin_trgm_ops`` index on the column serves it
(one per column, combined by a BitmapOr). ``pg_trgm`` is a trusted extension from PostgreSQL 13 on.
"""

from django.db import migrations

INDEXES = {
    "customers_customer_search_trgm": "ON customers_customer USING gin (search_text gin_trgm_ops)",
    "customers_customer_phone_trgm": "ON customers_customer USING gin (phone gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_alter_timelineentry_event")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
