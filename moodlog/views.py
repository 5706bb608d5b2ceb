"""The patient's /mood/ page: rate today in one tap, change a recent day, see the last 30 days."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.drafts import draft_delete, draft_get, draft_save
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Draft, Role, User
from moodlog.chart import long_day, mood_chart
from moodlog.drafts import mood_note_draft_key
from moodlog.forms import MoodRatingDeleteForm, MoodRatingForm
from moodlog.models import MOOD_SCORE_MAX, MOOD_SCORE_MIN, MoodRating
from moodlog.selectors import mood_ratings_for_patient
from moodlog.services import (
    MOOD_CHANGE_WINDOW_DAYS,
    MoodRatingConflict,
    mood_day_check,
    mood_days_changeable,
    mood_rating_delete,
    mood_rating_record,
)

CHART_DAYS = 30
assert CHART_DAYS > MOOD_CHANGE_WINDOW_DAYS, "the chart must cover every day that can be changed"


def day_label(day: datetime.date, today: datetime.date) -> str:
    if day == today:
        return "today"
    if day == today - datetime.timedelta(days=1):
        return "yesterday"
    return long_day(day)


def _page_url(day: datetime.date, today: datetime.date) -> str:
    url = reverse("moodlog:page")
    return url if day == today else f"{url}?day={day.isoformat()}"


def _chosen_day(request: AuthenticatedHttpRequest, patient: User) -> datetime.date:
    """The day being rated: ``?day=`` when it is one the patient may change, else today."""
    today = patient.local_today()
    raw = request.GET.get("day", "")
    try:
        day = datetime.date.fromisoformat(raw)
        mood_day_check(patient=patient, day=day)
    except (ValueError, ValidationError):
        return today
    return day


@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def page(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = request.user
    today = patient.local_today()
    if request.method == "POST" and request.POST.get("action") == "draft":
        return _note_keep_for_later(request, patient=patient)
    if request.method == "POST":
        form = MoodRatingForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["day"]
            try:
                result = mood_rating_record(
                    patient=patient,
                    day=day,
                    score=form.cleaned_data["score"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    for message in field_errors:
                        form.add_error(field if field in ("score", "note") else None, message)
            except MoodRatingConflict:
                form.add_error(None, "That did not save because of a clash. Please try again.")
            else:
                # The note went with the rating, so its draft is no longer needed.
                draft_delete(user=patient, key=mood_note_draft_key(day))
                messages.success(
                    request,
                    f"Saved: {result.rating.score} out of 10 for {day_label(day, today)}.",
                )
                if result.flagged:
                    return redirect("safety:crisis-help")
                return HttpResponseRedirect(_page_url(day, today))
        chosen = form.cleaned_data.get("day")
        day = chosen if chosen in mood_days_changeable(patient=patient) else today
        return _render(request, patient=patient, day=day, form=form, status=400)
    return _render(request, patient=patient, day=_chosen_day(request, patient))


def _note_keep_for_later(request: AuthenticatedHttpRequest, *, patient: User) -> HttpResponse:
    """ "Save note for later", for phones without JavaScript: keep the note as a draft for the
    day being rated, without a rating, so the patient can come back to it."""
    today = patient.local_today()
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        day = today
    if day not in mood_days_changeable(patient=patient):
        day = today
    note = request.POST.get("note", "")
    key = mood_note_draft_key(day)
    if note.strip():
        draft_save(user=patient, key=key, fields={"note": note})
        messages.success(
            request, "Your note is saved for later. Tap a number when you are ready to save both."
        )
    else:
        draft_delete(user=patient, key=key)
        messages.info(request, "There was no note to save.")
    return HttpResponseRedirect(_page_url(day, today))


def _note_draft(*, patient: User, day: datetime.date, current: MoodRating | None) -> Draft | None:
    """The day's note draft, unless the rating was saved after it (from another device, or
    the app): then the draft is out of date and goes."""
    key = mood_note_draft_key(day)
    draft = draft_get(user=patient, key=key)
    if draft is not None and current is not None and current.updated_at >= draft.updated_at:
        draft_delete(user=patient, key=key)
        return None
    return draft


@role_required(Role.PATIENT)
@require_POST
def remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    patient = request.user
    today = patient.local_today()
    form = MoodRatingDeleteForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            removed = mood_rating_delete(patient=patient, day=day)
        except ValidationError:
            messages.error(request, "You can only change today and the 14 days before it.")
            return HttpResponseRedirect(reverse("moodlog:page"))
        if removed:
            messages.success(request, f"Your rating for {day_label(day, today)} was removed.")
        return HttpResponseRedirect(_page_url(day, today))
    return HttpResponseRedirect(reverse("moodlog:page"))


# Length: the mood page's chart, table and form context from three queries.
def _render(
    request: AuthenticatedHttpRequest,
    *,
    patient: User,
    day: datetime.date,
    form: MoodRatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = patient.local_today()
    start = today - datetime.timedelta(days=CHART_DAYS - 1)
    ratings: dict[datetime.date, MoodRating] = {
        rating.day: rating
        for rating in mood_ratings_for_patient(patient=patient, date_from=start, date_to=today)
    }
    # Every day that may be changed lies within the chart's 30 days, so it is already here.
    current = ratings.get(day)
    draft = _note_draft(patient=patient, day=day, current=current)
    if form is None:
        note = current.note if current is not None else ""
        if draft is not None and isinstance(draft.fields.get("note"), str):
            note = draft.fields["note"]
        form = MoodRatingForm(initial={"day": day, "note": note})
    changeable = set(mood_days_changeable(patient=patient))
    rows = []
    for back in range(CHART_DAYS):
        row_day = today - datetime.timedelta(days=back)
        rating = ratings.get(row_day)
        rows.append(
            {
                "day": row_day,
                "label": long_day(row_day),
                "rating": rating,
                "change_url": _page_url(row_day, today) if row_day in changeable else "",
                "is_chosen": row_day == day,
            }
        )
    current_score = current.score if current is not None else None
    scale = [
        {
            "value": value,
            "word": {MOOD_SCORE_MIN: "Very low", MOOD_SCORE_MAX: "Very good"}.get(value, ""),
            "is_current": value == current_score,
        }
        for value in range(MOOD_SCORE_MIN, MOOD_SCORE_MAX + 1)
    ]
    context: dict[str, Any] = {
        "form": form,
        "day": day,
        "is_today": day == today,
        "question": (
            "How is your mood today?"
            if day == today
            else "How was your mood yesterday?"
            if day == today - datetime.timedelta(days=1)
            else f"How was your mood on {long_day(day)}?"
        ),
        "current": current,
        "scale": scale,
        "note_open": bool(form["note"].value()) or bool(form.errors.get("note")),
        "delete_form": MoodRatingDeleteForm(initial={"day": day}),
        "chart": mood_chart(
            scores={rating_day: rating.score for rating_day, rating in ratings.items()},
            end=today,
            days=CHART_DAYS,
        ),
        "rows": rows,
        "today_url": reverse("moodlog:page"),
        "draft": draft,
        "draft_key": mood_note_draft_key(day),
        "api_url": reverse("moodlog-api:mood-collection"),
    }
    return render(request, "moodlog/page.html", context, status=status)
