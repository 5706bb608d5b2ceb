from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from treatment.demo import DemoDataExists, demo_password, demo_reset, demo_seed


class Command(BaseCommand):
    help = "Create a demo service with staff and patients part-way through treatment."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--patients", type=int, default=24, help="Patients besides 'patient'.")
        parser.add_argument("--days", type=int, default=42, help="Days of history to create.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument("--reset", action="store_true", help="Remove earlier demo data first.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo accounts share a published password: they must never reach a real deployment.
        if not settings.BCBT_SEED_DEMO_ALLOWED:
            raise CommandError(
                "seed_demo creates accounts with a shared, published password and runs only in "
                "development. Set DJANGO_DEBUG=1 to use it (make run does)."
            )
        if options["patients"] < 0 or options["days"] < 1:
            raise CommandError("--patients must be 0 or more and --days at least 1.")
        if options["reset"]:
            demo_reset()
        password = demo_password()
        try:
            context = demo_seed(
                patients=options["patients"],
                days=options["days"],
                seed=options["seed"],
                password=password,
            )
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
        names = (
            ", ".join(context.staff)
            + ", patient, patient001 ... "
            + (f"patient{options['patients']:03d}" if options["patients"] else "(none)")
        )
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        base_url = str(settings.BCBT_BASE_URL).rstrip("/")
        self.stdout.write(f"Sign in at {base_url}/accounts/login/ as one of: {names}")
        self.stdout.write(f"Password for every demo account: {password}")
