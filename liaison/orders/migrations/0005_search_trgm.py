"""Trigram indexes for the order search (PostgreSQL only; nothing on SQLite).

``order_search`` filters with ``icontains``, which Django writes on PostgreSQL as
``UPPER("orders_order"."number"::text) LIKE UPPER('%…%')``: a GIN ``gin_trgm_ops`` index on
that very expression lets the planner answer it from the index instead of reading every order.
``pg_trgm`` is a trusted extension from PostgreSQL 13 on, so the database owner may create it.
"""

from django.db import migrations

INDEXES = {
    "orders_order_number_trgm": 'ON orders_order USING gin ((UPPER("number"::text)) gin_trgm_ops)',
    "orders_order_po_trgm": 'ON orders_order USING gin ((UPPER("customer_po"::text)) gin_trgm_ops)',
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
    dependencies = [("orders", "0004_order_log_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
