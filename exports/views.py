"""Downloads of a patient's own copy: by the patient on /account/, by their service admin."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from care.selectors import patient_get_for_service_admin
from exports.patient_copy import patient_copy_export


def _zip_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The copy is personal data: never kept by a shared cache or the browser's back button.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.PATIENT)
def own_copy(request: AuthenticatedHttpRequest) -> HttpResponse:
    content = patient_copy_export(actor=request.user, patient=request.user, request=request)
    return _zip_response(content, "bcbt-my-data.zip")


# /service/ is the service admin's area: other roles get 403 there (PRODUCT.md, web paths);
# another service's patient gets the same 404 as one who does not exist.
@require_GET
@role_required(Role.SERVICE_ADMIN)
def patient_copy_for_service_admin(
    request: AuthenticatedHttpRequest, patient_id: int
) -> HttpResponse:
    """A subject access request: the same 404 for anyone but the patient's service admin."""
    patient = patient_get_for_service_admin(staff=request.user, patient_id=patient_id)
    content = patient_copy_export(actor=request.user, patient=patient, request=request)
    return _zip_response(content, f"bcbt-patient-{patient.pk}-data.zip")
