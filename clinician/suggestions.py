"""Add-on modules suggested to the PWP from the measures: read, accept, dismiss.

The rules live in ``measures/suggestions.yaml`` and say which module the answers point to and
why (``measures.suggestions``). Here, above both measures and modules, a suggestion is shown
only while the module is not in the programme and the PWP has not dismissed it for the same
answers. Nothing is ever added without the PWP: accepting calls the modules app's tailoring
service, with the rule's words as the recorded reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import User
from care.models import Episode
from care.services import audit_event_record
from clinician.models import SuggestionDismissal
from measures.models import QuestionnaireResponse
from measures.selectors import score_history_for_episode
from measures.suggestions import suggestions_from_responses
from modules.models import Assignment, AssignmentChange, Module
from modules.services import ProgrammeRuleError, assignment_add


@dataclass(frozen=True)
class Suggestion:
    rule_code: str
    rules_version: str
    module_slug: str
    module_title: str
    # Why, in words: "GAD-7 was 15 and 10".
    because: str
    basis: str

    @property
    def text(self) -> str:
        """What the brief says: "GAD-7 was 15 and 10: consider Managing worry"."""
        return f"{self.because}: consider {self.module_title}"

    @property
    def reason(self) -> str:
        """The reason recorded with the module when the PWP accepts, which the patient reads:
        plain words first, then the rule and its version for the record."""
        return (
            "Your questionnaire answers suggested this might help "
            f"({self.because}; rule {self.rule_code}, {self.rules_version})."
        )


def suggestions_for_episode(
    *, episode: Episode, responses: Iterable[QuestionnaireResponse] | None = None
) -> list[Suggestion]:
    """The suggestions to show for one episode the caller has scoped, in three queries (plus
    one when ``responses`` is not given) whatever the number of answers."""
    answers = (
        list(responses) if responses is not None else score_history_for_episode(episode=episode)
    )
    evidence = suggestions_from_responses(answers)
    in_programme = set(
        Assignment.objects.filter(episode=episode, active=True).values_list(
            "module__slug", flat=True
        )
    )
    dismissed = set(
        SuggestionDismissal.objects.filter(episode=episode).values_list("rule_code", "basis")
    )
    titles = dict(
        Module.objects.filter(
            slug__in=[item.module_slug for item in evidence], latest_version__isnull=False
        ).values_list("slug", "latest_version__title")
    )
    suggestions: dict[str, Suggestion] = {}
    for item in evidence:
        if (
            item.module_slug in in_programme
            or item.module_slug not in titles
            or (item.rule_code, item.basis) in dismissed
            or item.module_slug in suggestions
        ):
            continue
        suggestions[item.module_slug] = Suggestion(
            rule_code=item.rule_code,
            rules_version=item.rules_version,
            module_slug=item.module_slug,
            module_title=titles[item.module_slug],
            because=item.because,
            basis=item.basis,
        )
    return list(suggestions.values())


def _suggestion(episode: Episode, rule_code: str) -> Suggestion:
    found = next(
        (item for item in suggestions_for_episode(episode=episode) if item.rule_code == rule_code),
        None,
    )
    if found is None:
        raise ProgrammeRuleError(
            "That suggestion no longer applies: the module is already in the programme, or "
            "the suggestion was dismissed."
        )
    return found


@transaction.atomic
def suggestion_accept(
    *, by: User, episode: Episode, rule_code: str, request: HttpRequest | None = None
) -> AssignmentChange:
    """Add the suggested module to the programme, recording the rule as the reason."""
    suggestion = _suggestion(episode, rule_code)
    return assignment_add(
        by=by,
        episode=episode,
        module=Module.objects.get(slug=suggestion.module_slug),
        reason=suggestion.reason,
        request=request,
    )


def suggestion_dismiss(
    *, by: User, episode: Episode, rule_code: str, request: HttpRequest | None = None
) -> SuggestionDismissal:
    """Hide a suggestion until the questionnaire it rests on is answered again."""
    suggestion = _suggestion(episode, rule_code)
    try:
        with transaction.atomic():
            dismissal = SuggestionDismissal.objects.create(
                episode=episode, rule_code=rule_code, basis=suggestion.basis, dismissed_by=by
            )
            audit_event_record(
                actor=by,
                action="suggestion.dismiss",
                patient=episode.patient,
                target=episode,
                request=request,
                detail={"rule": rule_code, "module": suggestion.module_slug},
            )
    except IntegrityError:
        # Two clicks at once: the first dismissal stands.
        return SuggestionDismissal.objects.get(
            episode=episode, rule_code=rule_code, basis=suggestion.basis
        )
    return dismissal
