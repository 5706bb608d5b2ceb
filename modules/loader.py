"""Read module content from ``modules/content/<slug>/`` and check it.

Each module is a folder with three files:

- ``module.md``: a YAML header between ``---`` lines (title, summary, estimated_minutes, kind,
  order, tags), then the pages in Markdown. Every line that starts with ``# `` begins a new
  page and is that page's title.
- ``exercise.yaml``: ``exercises:``, a list of structured exercises, each with a ``key``, a
  ``title``, an ``intro`` and ``fields`` (name, type, label, hint, required, and per type:
  ``options`` for choice and multichoice; ``min``/``max`` for number and scale; ``step``,
  ``min_label`` and ``max_label`` for scale).
- ``pwp_guide.md``: the PWP's crib, with the three headings in ``PWP_GUIDE_HEADINGS``.

Parsing is pure (no database), so tests and the loader share it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"
KINDS = ("pathway", "add_on")
FIELD_TYPES = ("text", "textarea", "number", "choice", "multichoice", "scale", "time")
PWP_GUIDE_HEADINGS = (
    "## What the patient is asked to do",
    "## Common sticking points",
    "## What to ask about in session",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PAGE_TITLE = re.compile(r"^# (.+)$", re.MULTILINE)
_FIELD_KEYS = {
    "name",
    "type",
    "label",
    "hint",
    "required",
    "options",
    "min",
    "max",
    "step",
    "min_label",
    "max_label",
}


class ContentError(ValueError):
    """Module content that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class ModuleContent:
    slug: str
    kind: str
    position: int
    tags: list[str]
    title: str
    summary: str
    estimated_minutes: int
    pages: list[dict[str, str]]
    exercises: list[dict[str, Any]]
    pwp_guide: str
    step_count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_count", len(self.pages) + len(self.exercises))

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything a reader sees: the same content gives the same hash."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _require(condition: bool, where: Path, message: str) -> None:
    if not condition:
        raise ContentError(f"{where}: {message}")


def _split_front_matter(text: str, where: Path) -> tuple[dict[str, Any], str]:
    _require(text.startswith("---\n"), where, "must start with a '---' header")
    end = text.find("\n---\n", 4)
    _require(end != -1, where, "the header needs a closing '---' line")
    header = yaml.safe_load(text[4:end]) or {}
    _require(isinstance(header, dict), where, "the header must be 'name: value' lines")
    return header, text[end + 5 :]


def _split_pages(body: str, where: Path) -> list[dict[str, str]]:
    matches = list(_PAGE_TITLE.finditer(body))
    _require(bool(matches), where, "needs at least one page (a line starting with '# ')")
    _require(
        body[: matches[0].start()].strip() == "",
        where,
        "text before the first '# ' page title would never be shown",
    )
    pages = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        page_body = body[match.end() : end].strip()
        _require(bool(page_body), where, f"page {match.group(1)!r} is empty")
        pages.append({"title": match.group(1).strip(), "body": page_body})
    return pages


def _options(raw: Any, where: Path, name: str) -> list[dict[str, str]]:
    _require(
        isinstance(raw, list) and len(raw) >= 2, where, f"field {name!r} needs two or more options"
    )
    options = []
    for option in raw:
        if isinstance(option, str):
            option = {"value": option, "label": option}
        _require(
            isinstance(option, dict)
            and isinstance(option.get("value"), str)
            and isinstance(option.get("label"), str),
            where,
            f"each option of {name!r} needs a value and a label",
        )
        options.append({"value": option["value"], "label": option["label"]})
    values = [option["value"] for option in options]
    _require(len(set(values)) == len(values), where, f"options of {name!r} repeat a value")
    return options


def _field(raw: Any, where: Path, seen: set[str]) -> dict[str, Any]:
    _require(isinstance(raw, dict), where, "each field must be a mapping")
    name = raw.get("name")
    _require(
        isinstance(name, str) and bool(_NAME.match(name)),
        where,
        f"field name {name!r} must be lower case letters, digits and _",
    )
    _require(name not in seen, where, f"field {name!r} appears twice")
    seen.add(name)
    unknown = set(raw) - _FIELD_KEYS
    _require(not unknown, where, f"field {name!r} has unknown settings {sorted(unknown)}")
    kind = raw.get("type")
    _require(kind in FIELD_TYPES, where, f"field {name!r} has type {kind!r}; use {FIELD_TYPES}")
    _require(isinstance(raw.get("label"), str), where, f"field {name!r} needs a label")
    definition: dict[str, Any] = {
        "name": name,
        "type": kind,
        "label": raw["label"],
        "hint": str(raw.get("hint", "")),
        "required": bool(raw.get("required", False)),
    }
    if kind in ("choice", "multichoice"):
        definition["options"] = _options(raw.get("options"), where, name)
    if kind in ("number", "scale"):
        for bound in ("min", "max"):
            if bound in raw:
                _require(
                    isinstance(raw[bound], int), where, f"{bound} of {name!r} must be a number"
                )
                definition[bound] = raw[bound]
        if kind == "scale":
            _require("min" in raw and "max" in raw, where, f"scale {name!r} needs min and max")
        if "min" in definition and "max" in definition:
            _require(
                definition["min"] < definition["max"], where, f"min of {name!r} must be below max"
            )
    if kind == "scale":
        step = raw.get("step", 1)
        _require(isinstance(step, int) and step >= 1, where, f"step of {name!r} must be 1 or more")
        _require(
            (definition["max"] - definition["min"]) % step == 0,
            where,
            f"the step of {name!r} must divide the range",
        )
        definition["step"] = step
        definition["min_label"] = str(raw.get("min_label", ""))
        definition["max_label"] = str(raw.get("max_label", ""))
    return definition


def _exercises(raw: Any, where: Path) -> list[dict[str, Any]]:
    _require(isinstance(raw, dict), where, "must be a mapping with 'exercises:'")
    exercises = raw.get("exercises")
    _require(
        isinstance(exercises, list) and len(exercises) >= 1, where, "needs at least one exercise"
    )
    keys: set[str] = set()
    parsed = []
    for exercise in exercises:
        _require(isinstance(exercise, dict), where, "each exercise must be a mapping")
        key = exercise.get("key")
        _require(
            isinstance(key, str) and bool(_NAME.match(key)),
            where,
            f"exercise key {key!r} must be lower case letters, digits and _",
        )
        _require(key not in keys, where, f"exercise {key!r} appears twice")
        keys.add(key)
        _require(isinstance(exercise.get("title"), str), where, f"exercise {key!r} needs a title")
        fields = exercise.get("fields")
        _require(
            isinstance(fields, list) and len(fields) >= 1, where, f"exercise {key!r} needs fields"
        )
        seen: set[str] = set()
        parsed.append(
            {
                "key": key,
                "title": exercise["title"],
                "intro": str(exercise.get("intro", "")),
                "fields": [_field(item, where, seen) for item in fields],
            }
        )
    return parsed


def content_parse(directory: Path) -> ModuleContent:
    """Read and check one module folder; raise ``ContentError`` naming the file at fault."""
    slug = directory.name
    _require(bool(_SLUG.match(slug)), directory, "folder name must be a slug like 'better-sleep'")
    module_file = directory / "module.md"
    exercise_file = directory / "exercise.yaml"
    guide_file = directory / "pwp_guide.md"
    for path in (module_file, exercise_file, guide_file):
        _require(path.is_file(), path, "is missing")

    header, body = _split_front_matter(module_file.read_text(encoding="utf-8"), module_file)
    for key, kind in (("title", str), ("summary", str), ("estimated_minutes", int)):
        _require(isinstance(header.get(key), kind), module_file, f"header needs {key}")
    _require(header["estimated_minutes"] >= 1, module_file, "estimated_minutes must be 1 or more")
    _require(header.get("kind") in KINDS, module_file, f"kind must be one of {KINDS}")
    tags = header.get("tags", [])
    _require(
        isinstance(tags, list) and all(isinstance(tag, str) for tag in tags) and bool(tags),
        module_file,
        "tags must be a list of words, for example [depression, sleep]",
    )
    position = header.get("order", 0)
    _require(isinstance(position, int) and position >= 0, module_file, "order must be a number")

    try:
        exercise_data = yaml.safe_load(exercise_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ContentError(f"{exercise_file}: not valid YAML: {error}") from error

    guide = guide_file.read_text(encoding="utf-8").strip()
    for heading in PWP_GUIDE_HEADINGS:
        _require(heading in guide, guide_file, f"needs the heading {heading!r}")

    return ModuleContent(
        slug=slug,
        kind=header["kind"],
        position=position,
        tags=[tag.strip() for tag in tags],
        title=header["title"].strip(),
        summary=header["summary"].strip(),
        estimated_minutes=header["estimated_minutes"],
        pages=_split_pages(body, module_file),
        exercises=_exercises(exercise_data, exercise_file),
        pwp_guide=guide,
    )


def content_parse_all(root: Path = CONTENT_DIR) -> list[ModuleContent]:
    return [content_parse(path) for path in sorted(root.iterdir()) if path.is_dir()]
