from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from care.models import EpisodeStatus


def patients_for_navigator(*, navigator: User) -> QuerySet[User]:
    """Patients in treatment in the navigator's service, with sign-in facts only."""
    if navigator.service_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            role=Role.PATIENT,
            episodes__status=EpisodeStatus.ACTIVE,
            episodes__service_id=navigator.service_id,
        )
        .only("id", "username", "first_name", "last_name", "last_login", "date_joined")
        .order_by("last_login", "username")
        .distinct()
    )
