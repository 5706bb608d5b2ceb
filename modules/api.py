"""``GET /api/v1/modules/``: the signed-in patient's programme, for the mobile app."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import api_user
from accounts.permissions import IsPatient
from modules.selectors import ProgrammeItem, programme_for_patient


class ProgrammeModuleSerializer(serializers.Serializer[ProgrammeItem]):
    slug = serializers.CharField()
    title = serializers.CharField()
    mandatory = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=["locked", "not_started", "in_progress", "completed", "waived"]
    )
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent done.")
    kind = serializers.CharField(source="assignment.module.kind")
    estimated_minutes = serializers.IntegerField(source="version.estimated_minutes")
    locked_reason = serializers.CharField()
    aim_session = serializers.IntegerField(source="assignment.aim_session", allow_null=True)


class ProgrammeErrorSerializer(serializers.Serializer[None]):
    detail = serializers.CharField()


@extend_schema(
    responses={
        200: ProgrammeModuleSerializer(many=True),
        401: OpenApiResponse(
            ProgrammeErrorSerializer, description="No token, or it expired: sign in again."
        ),
        403: OpenApiResponse(
            ProgrammeErrorSerializer, description="Only patients have a programme."
        ),
    },
    summary="My programme of modules, in order",
)
@api_view(["GET"])
@permission_classes([IsAuthenticated, IsPatient])
def my_modules(request: Request) -> Response:
    user = api_user(request)
    programme = programme_for_patient(patient=user)
    items = programme.items if programme is not None else []
    # The stubs type a serializer's instance as one object even with many=True.
    return Response(ProgrammeModuleSerializer(items, many=True).data)  # type: ignore[arg-type]
