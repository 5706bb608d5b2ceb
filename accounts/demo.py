"""Demo data for sign-in and the digital navigator: recent sign-ins, one patient who has never
signed in, two open help requests and a note from the navigator to a PWP; the patients whose
treatment ended signed in until it ended."""

from __future__ import annotations

import datetime

from accounts.models import SupportProblem, User
from accounts.services import navigator_note_add, support_request_submit
from care.demo import DemoContext


def seed(context: DemoContext) -> None:
    patients = [episode.patient for episode in context.episodes]
    never_signed_in = patients[-1] if len(patients) > 1 else None
    for patient in patients:
        if patient == never_signed_in:
            continue
        # Django records last_login when someone signs in; the demo has nobody sign in, so it
        # sets the time directly. Two in ten patients have been away for over a week.
        days_ago = (
            context.rng.randint(9, 14) if context.rng.random() < 0.2 else context.rng.randint(0, 3)
        )
        if patient.username == "patient":
            days_ago = 0
        User.objects.filter(pk=patient.pk).update(
            last_login=context.now
            - datetime.timedelta(days=days_ago, minutes=context.rng.randint(0, 600))
        )

    helped = patients[1] if len(patients) > 2 else patients[0]
    support_request_submit(
        contact_name=helped.display_name,
        contact=helped.email,
        phone_number="",
        problem=SupportProblem.FORGOTTEN_PASSWORD,
        message="I changed phones and cannot remember my password.",
    )
    support_request_submit(
        contact_name="Jo Bloggs",
        contact="jo.bloggs@example.net",
        phone_number="07700 900123",
        problem=SupportProblem.NO_EMAIL,
        message="The sign-in code never arrived.",
    )

    navigator = context.staff["navigator"]
    first = context.episodes[0]
    navigator_note_add(
        by=navigator,
        patient=first.patient,
        episode=first,
        text=(
            "Helped Sam install the app on a new phone and sign in. "
            "Sam prefers a phone call to email if anything goes wrong."
        ),
    )


def seed_ended(context: DemoContext) -> None:
    """Patients whose treatment has ended last signed in on the evening before it ended."""
    for course in context.ended:
        last_login = datetime.datetime.combine(
            course.ended_on - datetime.timedelta(days=1),
            datetime.time(19, course.rng.randint(0, 59)),
            tzinfo=context.now.tzinfo,
        )
        User.objects.filter(pk=course.episode.patient_id).update(last_login=last_login)
