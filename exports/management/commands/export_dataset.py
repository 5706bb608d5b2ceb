"""python manage.py export_dataset --service S --month YYYY-MM --out FILE"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from care.models import Service
from exports.dataset import dataset_export, dataset_month_parse


class Command(BaseCommand):
    help = (
        "Write a service's monthly data set extract as CSV: one row per care contact in the "
        "month and one per course of treatment that ended in it (see docs/exports.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--service", required=True, help="The service's slug.")
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--out", required=True, help="The file to write (- for stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        service = Service.objects.filter(slug=options["service"]).first()
        if service is None:
            raise CommandError(f"No service with the slug {options['service']!r}.")
        try:
            month = dataset_month_parse(service=service, value=options["month"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        rows = 0
        if options["out"] == "-":
            for line in dataset_export(month=month, actor=None):
                sys.stdout.write(line)
                rows += 1
        else:
            # Written beside the target and renamed at the end, so a failed export never leaves
            # half a file in place of a good earlier one.
            target = Path(options["out"])
            partial = target.with_name(target.name + ".partial")
            with partial.open("w", encoding="utf-8", newline="") as out:
                for line in dataset_export(month=month, actor=None):
                    out.write(line)
                    rows += 1
            os.replace(partial, target)
        self.stderr.write(f"Exported {max(rows - 1, 0)} rows of {service.name} for {month.key}.")
