"""The patient's own copy: a ZIP with a readable page (index.html) and the same data as JSON."""

from __future__ import annotations

import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from care.services import audit_event_record
from exports.subject_access import SECTIONS, subject_access_data


def _zip_build(*, patient: User) -> bytes:
    data = subject_access_data(patient=patient)
    generated_at = timezone.now()
    document = {
        "generated_at": generated_at,
        "patient_id": patient.pk,
        "sections": {section.key: data[section.key] for section in SECTIONS},
    }
    page = render_to_string(
        "exports/patient_copy.html",
        {
            "patient": patient,
            "generated_at": generated_at,
            "sections": [(section, data[section.key]) for section in SECTIONS],
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", page)
        archive.writestr("data.json", json.dumps(document, cls=DjangoJSONEncoder, indent=2))
    return buffer.getvalue()


def patient_copy_export(*, actor: User, patient: User, request: HttpRequest | None) -> bytes:
    """Build the patient's copy and audit who produced it for whom. The caller scoped
    ``patient``: the patient themselves, or their service admin (a subject access request).
    One patient's copy is small, so it is built in memory and sent in one response."""
    content = _zip_build(patient=patient)
    audit_event_record(
        actor=actor,
        action="export.patient_copy",
        patient=patient,
        request=request,
        detail={"bytes": len(content), "by_patient": actor.pk == patient.pk},
    )
    return content
