"""Who may call an API endpoint, by role: the one set of REST framework permission classes.

Each answers 403 with a message that says whose endpoint it is; anonymous callers are turned
away first by ``IsAuthenticated`` (401).
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Role


class _HasRole(BasePermission):
    role: str = ""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request.user, "role", None) == self.role


class IsPatient(_HasRole):
    message = "This is for patients, and this account is not a patient's."
    role = Role.PATIENT


class IsPwp(_HasRole):
    message = "This list is a psychological wellbeing practitioner's (PWP's) caseload."
    role = Role.PWP
