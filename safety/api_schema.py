"""How crisis signposting appears in API answers (OpenAPI), for every app whose writes can
raise a risk flag: one component, so the app reads it one way everywhere."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class SignpostingContactSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class CrisisSignpostingSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    monitored_in_real_time = serializers.BooleanField()
    not_monitored = serializers.CharField()
    review = serializers.CharField()
    contacts = SignpostingContactSerializer(many=True)
