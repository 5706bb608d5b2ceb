from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import Role, User
from care.models import Episode, Service
from treatment.services import episode_start, service_create

# Tests use a fast hasher (see conftest), so a real-looking password costs nothing.
PASSWORD = "correct-horse-battery-staple"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Talking Therapies {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")

    @classmethod
    def _create(cls, model_class: type[Service], *args: object, **kwargs: object) -> Service:
        return service_create(name=str(kwargs["name"]), slug=str(kwargs["slug"]))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(user: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            user.save(update_fields=["password"])


class PatientFactory(UserFactory):
    role = Role.PATIENT
    username = factory.Sequence(lambda n: f"patient-{n}")


class PwpFactory(UserFactory):
    role = Role.PWP
    username = factory.Sequence(lambda n: f"pwp-{n}")


class NavigatorFactory(UserFactory):
    role = Role.NAVIGATOR
    username = factory.Sequence(lambda n: f"navigator-{n}")


class ServiceAdminFactory(UserFactory):
    role = Role.SERVICE_ADMIN
    is_staff = True
    is_superuser = True
    username = factory.Sequence(lambda n: f"admin-{n}")


def make_episode(
    *,
    patient: User,
    pwp: User | None,
    service: Service,
    started_on: datetime.date | None = None,
) -> Episode:
    """Open an episode through the real service. By default it started 13 days ago, so the
    weekly plan's session 3 is tomorrow at 10:00 whatever the hour of the test: sessions 1 and
    2 have passed and the next one is still to come, morning or evening."""
    return episode_start(
        patient=patient,
        pwp=pwp,
        service=service,
        started_on=started_on or timezone.localdate() - datetime.timedelta(days=13),
    )
