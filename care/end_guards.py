"""Reasons an episode cannot end yet, registered by the apps that know them.

care sits below the features and never imports them; an app above (safety: a risk flag not yet
closed) registers a guard in its ``AppConfig.ready``. ``episode_end`` asks every guard inside
its transaction and refuses with their reasons.
"""

from __future__ import annotations

from collections.abc import Callable

from care.models import Episode

# A guard returns the reason, in words for the person ending the episode, or None.
EndGuard = Callable[[Episode], str | None]
_guards: dict[str, EndGuard] = {}


def episode_end_guard_register(*, name: str, guard: EndGuard) -> None:
    """Registering the same name again replaces it (a reload in development)."""
    _guards[name] = guard


def episode_end_refusals(*, episode: Episode) -> list[str]:
    return [reason for guard in _guards.values() if (reason := guard(episode)) is not None]
