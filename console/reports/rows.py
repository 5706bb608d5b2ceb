"""Rows of a report: one per PWP of the service, one for work with no PWP, and the total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Role, User
from care.models import Service

NO_PWP_LABEL = "No PWP (duty queue)"
TOTAL_LABEL = "Service total"


@dataclass(frozen=True)
class RowKey:
    """Who a row is about: a PWP's id, ``None`` for work with no PWP, or the total."""

    pwp_id: int | None
    label: str
    is_total: bool = False


def row_keys(*, service: Service, pwp_ids_seen: Iterable[int | None]) -> list[RowKey]:
    """Every PWP of the service (so a PWP with nothing to count still has a row), any other PWP
    the figures name, the no-PWP row when something had no PWP, then the total. One query."""
    seen = set(pwp_ids_seen)
    named = [pwp_id for pwp_id in seen if pwp_id is not None]
    people = User.objects.filter(Q(service=service, role=Role.PWP) | Q(pk__in=named)).order_by(
        "last_name", "first_name", "username"
    )
    keys = [RowKey(pwp_id=person.pk, label=person.display_name) for person in people]
    if None in seen:
        keys.append(RowKey(pwp_id=None, label=NO_PWP_LABEL))
    keys.append(RowKey(pwp_id=None, label=TOTAL_LABEL, is_total=True))
    return keys


def rate(numerator: int, denominator: int) -> str:
    """A percentage for people to read, or a dash when there is nothing to divide by."""
    if denominator == 0:
        return "n/a"
    return f"{round(100 * numerator / denominator)}%"
