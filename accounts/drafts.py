"""Save as you go: a patient's unsaved words in one of their forms, kept on the server.

Every form a patient fills has a key: ``exercise.<module slug>.<exercise key>``, ``message``,
``next-session``, ``mood-note.<YYYY-MM-DD>``. The app that owns the form registers its kind here
(``<app>/drafts.py``, autodiscovered by ``AccountsConfig.ready``) with a check that the form is
one this patient may fill, so accounts knows no feature by name, and the API cannot be used to
store text under made-up keys.

A draft is written on every pause in typing, so it is deliberately light: no audit event (it is
the patient's own unsent text, read by no one else) and no safety check. Only the form's real
save reads words for safety phrases and raises a flag; a draft never does, because it is not yet
something the patient chose to send (docs/app.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Draft, User

# A draft holds what fits in the largest form (an exercise of several long answers) and no more.
DRAFT_MAX_FIELDS = 40
DRAFT_MAX_CHARACTERS = 20_000
_KEY = re.compile(r"[a-z][a-z-]{0,29}(\.[A-Za-z0-9_-]{1,60}){0,2}")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}")


@dataclass(frozen=True)
class DraftKind:
    """One kind of form a patient may keep a draft of.

    ``allows(user, parts)`` says whether this person may keep a draft under the key's parts
    after the kind (``["sleep", "diary"]`` for ``exercise.sleep.diary``).
    """

    name: str
    allows: Callable[[User, list[str]], bool]


_KINDS: dict[str, DraftKind] = {}


def draft_kind_register(*, name: str, allows: Callable[[User, list[str]], bool]) -> None:
    if name in _KINDS:
        raise ValueError(f"The draft kind {name!r} is registered twice.")
    _KINDS[name] = DraftKind(name=name, allows=allows)


def draft_key_allowed(*, user: User, key: str) -> bool:
    """Whether ``key`` names a form this user fills. An unknown key, or a form that is not
    theirs (another patient's exercise, a module not in their programme), is not allowed."""
    if not _KEY.fullmatch(key):
        return False
    name, *parts = key.split(".")
    kind = _KINDS.get(name)
    return kind is not None and kind.allows(user, parts)


def _fields_clean(fields: Any) -> dict[str, str | list[str]]:
    if not isinstance(fields, Mapping):
        raise ValidationError({"fields": ["Send the fields as an object of name to text."]})
    if len(fields) > DRAFT_MAX_FIELDS:
        raise ValidationError({"fields": [f"A draft holds at most {DRAFT_MAX_FIELDS} fields."]})
    cleaned: dict[str, str | list[str]] = {}
    total = 0
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            raise ValidationError({"fields": [f"{str(name)[:60]!r} is not a field name."]})
        if isinstance(value, str):
            cleaned[name] = value
            total += len(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            cleaned[name] = list(value)
            total += sum(len(item) for item in value)
        else:
            raise ValidationError(
                {"fields": [f"The field {name!r} must be text or a list of text."]}
            )
    if total > DRAFT_MAX_CHARACTERS:
        raise ValidationError(
            {"fields": [f"A draft holds at most {DRAFT_MAX_CHARACTERS} characters in all."]}
        )
    return cleaned


def draft_save(*, user: User, key: str, fields: Any) -> Draft:
    """Keep what the patient has typed so far, replacing the form's earlier draft.

    Raises ``PermissionError`` for a key that is not one of this person's forms and
    ``ValidationError`` for fields that are not text.
    """
    if not draft_key_allowed(user=user, key=key):
        raise PermissionError("That is not one of your forms.")
    cleaned = _fields_clean(fields)
    now = timezone.now()
    try:
        with transaction.atomic():
            draft, _created = Draft.objects.update_or_create(
                user=user, key=key, defaults={"fields": cleaned, "updated_at": now}
            )
    except IntegrityError:
        # Two tabs saving the first draft at once: the other one created the row.
        Draft.objects.filter(user=user, key=key).update(fields=cleaned, updated_at=now)
        draft = Draft.objects.get(user=user, key=key)
    return draft


def draft_delete(*, user: User, key: str) -> bool:
    """Remove a form's draft, once the real save succeeded or the patient discards it."""
    deleted, _by_model = Draft.objects.filter(user=user, key=key).delete()
    return deleted > 0


def draft_get(*, user: User, key: str) -> Draft | None:
    """The person's own draft of one form (drafts are read by no one else)."""
    return Draft.objects.filter(user=user, key=key).first()


def drafts_for_user(*, user: User) -> list[Draft]:
    """Every draft a person holds, for their own copy of their data."""
    return list(Draft.objects.filter(user=user).order_by("key"))


def draft_fields_from_post(data: Mapping[str, Any], *, names: list[str]) -> dict[str, Any]:
    """The named fields of a posted form, as a draft holds them (lists for repeated names)."""
    getlist = getattr(data, "getlist", None)
    fields: dict[str, Any] = {}
    for name in names:
        values = [str(value) for value in getlist(name)] if getlist else [str(data.get(name, ""))]
        if len(values) > 1:
            fields[name] = values
        elif values and values[0] != "":
            fields[name] = values[0]
    return fields
