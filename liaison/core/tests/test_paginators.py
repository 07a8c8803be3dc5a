"""The order log's paginator: estimates only a whole large PostgreSQL table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.core.paginators import LargeTablePaginator
from liaison.customers.models import Customer
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _count(queryset, estimate_above):
    paginator = LargeTablePaginator(queryset, 50)
    paginator.estimate_above = estimate_above
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, [q["sql"] for q in queries.captured_queries]


def test_a_whole_large_postgresql_table_is_estimated_without_counting_it():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    CustomerFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    count, sql = _count(Customer.objects.order_by("pk"), estimate_above=0)
    assert count == 3
    assert not any("COUNT(" in statement.upper() for statement in sql)
    assert any("reltuples" in statement for statement in sql)


def test_a_filtered_or_small_table_is_counted_exactly():
    CustomerFactory.create_batch(3)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Customer._meta.db_table}")
    # Filtered: an exact count even when the table is "large".
    count, sql = _count(Customer.objects.filter(pk__gt=0), estimate_above=0)
    assert count == 3 and any("COUNT(" in statement.upper() for statement in sql)
    # Below the threshold: exact.
    count, sql = _count(Customer.objects.all(), estimate_above=100_000)
    assert count == 3 and any("COUNT(" in statement.upper() for statement in sql)
