"""Load the wording of a licensed instrument (WAI-SR, WSAS) from a file the service provides.

    python manage.py load_licensed_instrument wai-sr /path/to/wai-sr.yaml

The file is YAML (or JSON):

    licence: "Used under licence from ... (agreement reference ...)"
    stem: "Below is a list of statements ..."        # optional
    options: {1: "...", 2: "...", 3: "...", 4: "...", 5: "..."}   # optional answer labels
    items:
      - "First item wording"                          # or {text: "...", subscale: task}
      - ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.definitions import DefinitionError
from measures.services import licensed_instrument_load


class Command(BaseCommand):
    help = "Load licensed item wording for an instrument (wai-sr, wsas) from a YAML or JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The instrument: wai-sr or wsas.")
        parser.add_argument("file", type=Path, help="The YAML or JSON file with the wording.")
        parser.add_argument("--loaded-by", default="", help="Your name, kept with the wording.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            source = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        try:
            data = yaml.safe_load(source.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            raise CommandError(f"{path} is not readable YAML or JSON: {error}") from error
        if not isinstance(data, dict):
            raise CommandError(f"{path} must hold a mapping with 'licence' and 'items'.")
        try:
            text = licensed_instrument_load(
                code=options["code"], data=data, source=source, loaded_by=options["loaded_by"]
            )
        except DefinitionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(text.items)} items for {text.instrument_code} "
                f"version {text.instrument_version}. Patients can now be offered it."
            )
        )
