"""Paginators for logs that grow to millions of rows."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class LargeTablePaginator(Paginator):
    """Counts exactly, except a whole PostgreSQL table of more than ``estimate_above`` rows.

    ``COUNT(*)`` of an unfiltered million-row log reads the whole table on every page
    (about 60 ms at 1 M orders, docs/performance.md). There the planner's row estimate
    (``pg_class.reltuples``, kept by autovacuum) is close enough for page links; any
    filter or search is still counted exactly, so what a clerk looks for is never
    miscounted.
    """

    estimate_above = 100_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where and not queryset.query.distinct:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [queryset.model._meta.db_table]
                    )
                    row = cursor.fetchone()
                if row and row[0] is not None and row[0] > self.estimate_above:
                    return int(row[0])
        return super().count
