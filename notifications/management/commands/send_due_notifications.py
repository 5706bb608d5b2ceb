from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notifications.services import notifications_run_once


def parse_moment(text: str) -> datetime.datetime:
    """An ISO 8601 date and time; without an offset it is read in the site's time zone."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--at {text!r} is not an ISO 8601 date and time, e.g. 2026-03-29T19:00:00+01:00"
        ) from error
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return moment


class Command(BaseCommand):
    help = (
        "Run one notification sweep and dispatch now (or as if the clock read --at), and print "
        "how many notifications were created, sent, held back and failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            help="ISO 8601 date and time to act as if it were now (default: the real clock).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_moment(options["at"]) if options.get("at") else timezone.now()
        result = notifications_run_once(now=now)
        self.stdout.write(
            f"created: {result.sweep.created}, sent: {result.dispatch.sent}, "
            f"held: {result.sweep.held}, failed: {result.failed}"
        )
        if result.sweep.skipped:
            self.stdout.write("Another sweep was running, so this one created nothing.")
