"""Fixtures for module tests: the shipped content loaded, and helpers to find assignments."""

from __future__ import annotations

import pytest

from care.models import Episode, Service
from modules.models import Assignment, ProgrammeSettings
from modules.services import modules_load


@pytest.fixture(autouse=True)
def modules_loaded(db: None) -> None:
    # The data migration loads content, but a transactional test elsewhere may have flushed it.
    modules_load()


@pytest.fixture
def waiving_refused(service: Service) -> ProgrammeSettings:
    settings, _ = ProgrammeSettings.objects.update_or_create(
        service=service, defaults={"pwps_may_waive": False}
    )
    return settings


def assignment_for(episode: Episode, slug: str) -> Assignment:
    return Assignment.objects.select_related("module__latest_version", "version", "episode").get(
        episode=episode, module__slug=slug
    )
