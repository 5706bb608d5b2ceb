"""The registry of due-rules: the one way an app tells notifications what to remind about.

Each app that owns a reminder writes a ``reminders.py`` that calls ``rule_register`` at import;
``NotificationsConfig.ready`` imports every installed app's ``reminders`` module with
``autodiscover_modules`` (as ``admin.autodiscover`` does for ``admin.py``), so notifications
never names the apps that use it.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from notifications.models import NotificationKind
from notifications.sources import DueRule, Wording

_rules: dict[str, DueRule] = {}


def rule_register(rule: DueRule) -> DueRule:
    """Register the due-rule for one kind. A second rule for the same kind is a wiring mistake,
    refused at start-up rather than sending a patient two reminders."""
    if rule.kind not in NotificationKind.values:
        raise ImproperlyConfigured(f"{rule.kind!r} is not a notification kind.")
    registered = _rules.get(rule.kind)
    if registered is not None and registered is not rule:
        raise ImproperlyConfigured(f"A rule for {rule.kind!r} is already registered.")
    _rules[rule.kind] = rule
    return rule


def due_rules() -> tuple[DueRule, ...]:
    """The registered rules, in the order the kinds are declared, whatever order apps load in."""
    order = list(NotificationKind.values)
    return tuple(sorted(_rules.values(), key=lambda rule: order.index(rule.kind)))


def rule_for(kind: str) -> DueRule | None:
    return _rules.get(kind)


def wording_for(kind: str) -> Wording:
    """The fixed words of the registered rule for ``kind`` (for demo history)."""
    wording = getattr(rule_for(kind), "wording", None)
    if not isinstance(wording, Wording):
        raise LookupError(f"No rule with fixed wording is registered for {kind!r}.")
    return wording
