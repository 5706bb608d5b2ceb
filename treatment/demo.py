"""Demo data: a service, its staff and patients part-way through treatment (``seed_demo``).

The people and episodes are made here through the treatment services, the same path Django
admin and the test factories take; then ``seed(context)`` runs in every installed app's
``demo`` module so each app adds its own data through its own services.
"""

from __future__ import annotations

import datetime
import importlib
import random

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from care.demo import DemoContext
from care.models import Appointment, AppointmentStatus, Episode, Service
from modules.services import modules_load, programme_default_create
from treatment.services import episode_start, service_create

DEMO_SERVICE_SLUG = "demo-talking-therapies"
STAFF = (
    ("admin", Role.SERVICE_ADMIN, "Asha", "Patel"),
    ("pwp", Role.PWP, "Priya", "Wells"),
    ("pwp2", Role.PWP, "Tom", "Okafor"),
    ("navigator", Role.NAVIGATOR, "Nia", "Roberts"),
)
FIRST_NAMES = (
    "Alex",
    "Sam",
    "Jordan",
    "Chris",
    "Jamie",
    "Robin",
    "Taylor",
    "Morgan",
    "Casey",
    "Drew",
    "Ellis",
    "Frankie",
    "Harper",
    "Indy",
    "Jesse",
    "Kit",
    "Lee",
    "Max",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Skye",
    "Toni",
    "Val",
)
LAST_NAMES = (
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Islam",
    "Jones",
    "Khan",
    "Lewis",
    "Morris",
    "Nowak",
    "Owen",
    "Price",
    "Quigley",
    "Reid",
    "Shah",
    "Turner",
    "Usman",
    "Vaughan",
    "Walsh",
    "Young",
)


class DemoDataExists(Exception):
    pass


def demo_usernames(patients: int) -> list[str]:
    return (
        [name for name, *_ in STAFF]
        + ["patient"]
        + [f"patient{number:03d}" for number in range(1, patients + 1)]
    )


def demo_reset() -> None:
    """Remove the demo service and every demo account, with everything that hangs off them."""
    service = Service.objects.filter(slug=DEMO_SERVICE_SLUG).first()
    users = User.objects.filter(
        email__endswith="@example.org",
        username__regex=r"^(admin|pwp|pwp2|navigator|patient|patient[0-9]{3,})$",
    )
    with transaction.atomic():
        if service is not None:
            Episode.objects.filter(service=service).delete()
        users.delete()
        if service is not None:
            service.delete()


# Length: a demo script: the service, staff and patients, step by step.
@transaction.atomic
# Complexity: A script of the demo, step by step; its branches are the demo's optional parts.
def demo_seed(*, patients: int, days: int, seed: int, password: str) -> DemoContext:  # noqa: C901
    if (
        Service.objects.filter(slug=DEMO_SERVICE_SLUG).exists()
        or User.objects.filter(username__in=demo_usernames(patients)).exists()
    ):
        raise DemoDataExists("Demo data already exists. Run with --reset to start again.")
    # Demo data must be repeatable for a seed, so a seeded (non-cryptographic) generator is right.
    rng = random.Random(seed)  # noqa: S311
    now = timezone.now()
    service = service_create(name="Demo Talking Therapies", slug=DEMO_SERVICE_SLUG)
    # The demo service offers its add-ons rather than giving them to everyone, so the PWP sees
    # them suggested from the measures (GAD-7 at caseness: Managing worry) and adds them.
    modules_load()
    programme_default_create(service=service, add_ons_offered=True)
    # One hash for every demo account: Argon2 is deliberately slow, and the password is shared.
    password_hash = make_password(password)

    staff: dict[str, User] = {}
    for username, role, first_name, last_name in STAFF:
        staff[username] = User.objects.create(
            username=username,
            email=f"{username}@example.org",
            first_name=first_name,
            last_name=last_name,
            role=role,
            service=service,
            password=password_hash,
            is_staff=role == Role.SERVICE_ADMIN,
            is_superuser=role == Role.SERVICE_ADMIN,
        )
    context = DemoContext(rng=rng, days=days, now=now, service=service, staff=staff)

    today = timezone.localdate(now)
    # ``patient`` is part-way through: five weeks in, so sessions 1 to 6 are behind them.
    patient_specs = [("patient", "Sam", "Taylor", 35, staff["pwp"])]
    for number in range(1, patients + 1):
        patient_specs.append(
            (
                f"patient{number:03d}",
                FIRST_NAMES[(number - 1) % len(FIRST_NAMES)],
                LAST_NAMES[(number * 7) % len(LAST_NAMES)],
                rng.randint(3, 66),
                staff["pwp"] if number % 2 else staff["pwp2"],
            )
        )
    for username, first_name, last_name, days_in, pwp in patient_specs:
        patient = User.objects.create(
            username=username,
            email=f"{username}@example.org",
            first_name=first_name,
            last_name=last_name,
            role=Role.PATIENT,
            service=service,
            password=password_hash,
        )
        episode = episode_start(
            patient=patient,
            service=service,
            pwp=pwp,
            started_on=today - datetime.timedelta(days=days_in),
            first_session_time=datetime.time(rng.choice([9, 10, 11, 13, 14, 15, 16]), 0),
            by=staff["admin"],
        )
        past = list(episode.appointments.filter(scheduled_at__lt=now))
        for appointment in past:
            appointment.status = (
                AppointmentStatus.DID_NOT_ATTEND
                if rng.random() < 0.08
                else AppointmentStatus.ATTENDED
            )
        if past:
            Appointment.objects.bulk_update(past, ["status"])
        context.episodes.append(episode)

    for app_config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app_config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.demo":
                raise
            continue
        if module.__name__ != __name__ and hasattr(module, "seed"):
            module.seed(context)
    return context


def demo_password() -> str:
    return str(settings.BCBT_DEMO_PASSWORD)
