from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from modules.loader import CONTENT_DIR, ContentError
from modules.services import modules_load


class Command(BaseCommand):
    help = (
        "Load module content from modules/content/ into versioned records. Unchanged modules "
        "are left alone; edited modules get a new version."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--path", type=Path, default=CONTENT_DIR, help="Folder of module folders."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = modules_load(root=options["path"])
        except ContentError as error:
            raise CommandError(f"Module content has a problem: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Modules loaded: {result}."))
