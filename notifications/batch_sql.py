"""Long lists of values as one query parameter.

A sweep batch asks about a thousand patients at a time. Sent as ``IN (%s, %s, ...)``, every
value is a placeholder that Django prepares and psycopg splits out of the query text, a cost
in Python that grows with the list; on PostgreSQL the list goes instead as one array,
``IN (SELECT unnest(%s::type[]))``. Elsewhere (SQLite) it stays a plain list.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


def values_in(field: str, values: Sequence[int] | Sequence[str], *, sql_type: str) -> Q:
    """``Q(<field>__in=values)``, with the values sent as one array on PostgreSQL."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(values)})
    # The type is one of the fixed names the callers pass; the values are a parameter.
    array = RawSQL(f"SELECT unnest(%s::{sql_type}[])", (list(values),))  # noqa: S611
    return Q(**{f"{field}__in": array})
