"""python manage.py export_fhir --service S [--since D] --out FILE"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from care.models import Service
from exports.service_bundle import service_bundle_write


class Command(BaseCommand):
    help = (
        "Write a service's questionnaire answers and total scores as one FHIR R4 searchset "
        "Bundle (QuestionnaireResponse, Observation, Patient), streamed to a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", required=True, help="The service's slug.")
        parser.add_argument(
            "--since", type=datetime.date.fromisoformat, help="Only from this date (YYYY-MM-DD)."
        )
        parser.add_argument("--out", required=True, help="The file to write (- for stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        service = Service.objects.filter(slug=options["service"]).first()
        if service is None:
            raise CommandError(f"No service with the slug {options['service']!r}.")
        day: datetime.date | None = options["since"]
        since = (
            datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
            if day is not None
            else None
        )
        if options["out"] == "-":
            count = service_bundle_write(service=service, since=since, out=sys.stdout)
        else:
            # Written beside the target and renamed at the end, so a failed export never leaves
            # half a Bundle in place of a good earlier file.
            target = Path(options["out"])
            partial = target.with_name(target.name + ".partial")
            with partial.open("w", encoding="utf-8") as out:
                count = service_bundle_write(service=service, since=since, out=out)
            os.replace(partial, target)
        self.stderr.write(f"Exported {count} questionnaire responses of {service.name}.")
