"""Demo data: a service, its staff and patients part-way through treatment (``seed_demo``).

The people and episodes are made here through the treatment services, the same path Django
admin and the test factories take; then ``seed(context)`` runs in every installed app's
``demo`` module so each app adds its own data through its own services.
"""

from __future__ import annotations

import datetime
import importlib
import random
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from care.demo import DemoContext, EndedCourse
from care.models import Appointment, AppointmentStatus, EndReason, Episode, Service
from care.services import episode_end
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


# The ended courses, in turn: why each ended and how many sessions it had attended by then.
ENDED_REASONS: tuple[tuple[str, int], ...] = (
    (EndReason.COMPLETED, 11),
    (EndReason.COMPLETED, 11),
    (EndReason.DROPPED_OUT, 4),
    (EndReason.COMPLETED, 11),
    (EndReason.STEPPED_UP, 5),
    (EndReason.COMPLETED, 11),
    (EndReason.DECLINED, 1),
    (EndReason.COMPLETED, 11),
    (EndReason.MOVED_AWAY, 6),
    (EndReason.COMPLETED, 11),
    (EndReason.DROPPED_OUT, 3),
    (EndReason.COMPLETED, 11),
)


class DemoDataExists(Exception):
    pass


def ended_course_count(patients: int) -> int:
    """Two months of ended courses: half as many as the patients in treatment, at most 12 and at
    least 2 (one a month), so a small demo stays fast."""
    return min(len(ENDED_REASONS), max(2, patients // 2))


def demo_usernames(patients: int) -> list[str]:
    return (
        [name for name, *_ in STAFF]
        + ["patient"]
        + [f"patient{number:03d}" for number in range(1, patients + 1)]
        + [f"former{number:03d}" for number in range(1, ended_course_count(patients) + 1)]
    )


def demo_reset() -> None:
    """Remove the demo service and every demo account, with everything that hangs off them."""
    service = Service.objects.filter(slug=DEMO_SERVICE_SLUG).first()
    users = User.objects.filter(
        email__endswith="@example.org",
        username__regex=r"^(admin|pwp|pwp2|navigator|patient|patient[0-9]{3,}|former[0-9]{3,})$",
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

    seeders = _demo_modules()
    for module in seeders:
        if hasattr(module, "seed"):
            module.seed(context)
    _ended_courses_open(context, password_hash=password_hash, seed=seed, patients=patients)
    for module in seeders:
        if hasattr(module, "seed_ended"):
            module.seed_ended(context)
    for course in context.ended:
        episode_end(
            episode=course.episode,
            ended_on=course.ended_on,
            by=course.episode.pwp,
            reason=course.reason,
        )
    return context


def _demo_modules() -> list[ModuleType]:
    modules = []
    for app_config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{app_config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.demo":
                raise
            continue
        if module.__name__ != __name__:
            modules.append(module)
    return modules


def _month_before(day: datetime.date) -> datetime.date:
    """The first day of the month before ``day``'s month."""
    first = day.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _ended_courses_open(
    context: DemoContext, *, password_hash: str, seed: int, patients: int
) -> None:
    """Patients ``former001``... whose courses ended in the last two whole months: their sessions
    attended, missed or cancelled after the end. Each course has its own seeded generator, so
    adding them changes nothing in the patients in treatment."""
    last_month = _month_before(context.today)
    months = (last_month, _month_before(last_month))
    for index in range(ended_course_count(patients)):
        reason, attended = ENDED_REASONS[index]
        username = f"former{index + 1:03d}"
        rng = random.Random(f"{seed}:{username}")  # noqa: S311 - repeatable demo data
        ended_on = months[index % 2] + datetime.timedelta(days=1 + (index * 7) % 24)
        # The day after the last session the patient came to, or missed.
        started_on = ended_on - datetime.timedelta(days=7 * min(attended, 10) + 1)
        patient = User.objects.create(
            username=username,
            email=f"{username}@example.org",
            first_name=FIRST_NAMES[(index * 5 + 3) % len(FIRST_NAMES)],
            last_name=LAST_NAMES[(index * 11 + 2) % len(LAST_NAMES)],
            role=Role.PATIENT,
            service=context.service,
            password=password_hash,
        )
        episode = episode_start(
            patient=patient,
            service=context.service,
            pwp=context.staff["pwp"] if index % 2 == 0 else context.staff["pwp2"],
            started_on=started_on,
            first_session_time=datetime.time(rng.choice([9, 10, 11, 14, 15]), 0),
            by=context.staff["admin"],
        )
        appointments = list(episode.appointments.order_by("number"))
        for appointment in appointments:
            if timezone.localdate(appointment.scheduled_at) >= ended_on:
                appointment.status = AppointmentStatus.CANCELLED
            elif appointment.number <= attended and (
                appointment.number in (1, attended) or rng.random() > 0.1
            ):
                appointment.status = AppointmentStatus.ATTENDED
            else:
                appointment.status = AppointmentStatus.DID_NOT_ATTEND
        Appointment.objects.bulk_update(appointments, ["status"])
        context.ended.append(
            EndedCourse(episode=episode, ended_on=ended_on, reason=reason, rng=rng)
        )


def demo_password() -> str:
    return str(settings.BCBT_DEMO_PASSWORD)
