"""How the app talks to its database."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_without_jit_compiling():
    """JIT compiling cost seconds per annotated query at a million orders (docs/performance.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
