"""Instrument definitions, read from the versioned data files in ``measures/instruments/``.

An instrument is data, not code: its items, answer options, severity bands, caseness and
reliable-change thresholds, risk flags and licence note all come from its file. Scoring
(``measures.scoring``) and outcomes (``measures.outcomes``) read these definitions, so a threshold
appears in exactly one place.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"

# The codes the API contract names, plus the alliance instruments.
PHQ9 = "phq9"
GAD7 = "gad7"
WSAS = "wsas"
WAI_SR = "wai-sr"
ALLIANCE_CHECK = "alliance-check"
ALLIANCE_CHECK_PWP = "alliance-check-pwp"

RESPONDENT_PATIENT = "patient"
RESPONDENT_PWP = "pwp"

TEXT_SHIPPED = "shipped"
TEXT_LICENSED_FILE = "licensed_file"

# The one flag that creates a risk flag for clinician review. There is deliberately no grade.
NEEDS_CLINICIAN_REVIEW = "needs_clinician_review"


class DefinitionError(ValueError):
    """An instrument file is inconsistent (bands with gaps, a flag on a missing item...)."""


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class Coding:
    """A code from a code system (LOINC, SNOMED CT, or bcbt's own where neither has one)."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class Codes:
    """How records systems name the instrument: the panel (the whole questionnaire) and the
    total score. The first total coding is the primary one (LOINC where it exists)."""

    panel: Coding
    total: tuple[Coding, ...]


@dataclass(frozen=True)
class Band:
    minimum: int
    maximum: int
    label: str


@dataclass(frozen=True)
class FlagRule:
    code: str
    item: int  # 1-based item number
    above: int
    creates_risk_flag: bool


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    name: str
    short_name: str
    purpose: str
    respondent: str
    validated: bool
    text_source: str
    licence: str
    stem: str
    options: tuple[Option, ...]
    item_count: int
    # Empty when the wording comes from a licensed file that has not been loaded.
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    caseness_at_least: int | None
    reliable_change: int | None
    flags: tuple[FlagRule, ...]
    codes: Codes
    subscales: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # Short names of what each item asks about, by item number ("work"), where the file gives
    # them: the brief names an item by them when its wording is licensed or long.
    item_names: Mapping[int, str] = field(default_factory=dict)
    # Items that may be answered "not applicable" (stored as null); the total is the sum of the
    # answered items, as the file's comment states for that instrument.
    not_applicable_items: tuple[int, ...] = ()

    @property
    def option_values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def minimum_total(self) -> int:
        return min(self.option_values) * self.item_count

    @property
    def maximum_total(self) -> int:
        return max(self.option_values) * self.item_count

    @property
    def has_bands(self) -> bool:
        return bool(self.bands)

    @property
    def needs_licensed_text(self) -> bool:
        return self.text_source == TEXT_LICENSED_FILE

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.minimum <= total <= band.maximum:
                return band
        return None

    def item_name(self, number: int) -> str:
        """What item ``number`` asks about: its short name, else "question N"."""
        return self.item_names.get(number, f"question {number}")

    def is_case(self, total: int) -> bool | None:
        if self.caseness_at_least is None:
            return None
        return total >= self.caseness_at_least

    def with_text(
        self, *, items: tuple[str, ...], option_labels: Mapping[int, str] | None, stem: str
    ) -> Instrument:
        """The same instrument with wording loaded from a licensed file."""
        if len(items) != self.item_count:
            raise DefinitionError(
                f"{self.short_name} has {self.item_count} items; the file has {len(items)}."
            )
        options = self.options
        if option_labels:
            options = tuple(
                Option(value=option.value, label=option_labels.get(option.value, option.label))
                for option in self.options
            )
        return dataclasses.replace(self, items=items, options=options, stem=stem or self.stem)


@dataclass(frozen=True)
class OutcomeRules:
    version: str
    source: str
    instruments: tuple[Instrument, ...]


def _coding_from_data(data: Mapping[str, Any]) -> Coding:
    return Coding(system=str(data["system"]), code=str(data["code"]), display=str(data["display"]))


def _codes_from_data(code: str, data: Mapping[str, Any] | None) -> Codes:
    """Every instrument names its panel and total: an export must never send an uncoded score."""
    if not data or not data.get("panel") or not data.get("total"):
        raise DefinitionError(f"{code}: the file needs codes for the panel and the total.")
    return Codes(
        panel=_coding_from_data(data["panel"]),
        total=tuple(_coding_from_data(coding) for coding in data["total"]),
    )


def _instrument_from_data(data: Mapping[str, Any]) -> Instrument:
    items = tuple(str(text) for text in data.get("items") or ())
    item_count = int(data.get("item_count") or len(items))
    options = tuple(
        Option(value=int(option["value"]), label=str(option["label"])) for option in data["options"]
    )
    instrument = Instrument(
        code=str(data["code"]),
        version=str(data["version"]),
        name=str(data["name"]),
        short_name=str(data["short_name"]),
        purpose=str(data["purpose"]),
        respondent=str(data["respondent"]),
        validated=bool(data["validated"]),
        text_source=str(data["text_source"]),
        licence=str(data["licence"]),
        stem=str(data.get("stem") or ""),
        options=options,
        item_count=item_count,
        items=items,
        bands=tuple(
            Band(minimum=int(band["min"]), maximum=int(band["max"]), label=str(band["label"]))
            for band in data.get("bands") or ()
        ),
        caseness_at_least=data.get("caseness_at_least"),
        reliable_change=data.get("reliable_change"),
        flags=tuple(
            FlagRule(
                code=str(rule["code"]),
                item=int(rule["item"]),
                above=int(rule["above"]),
                creates_risk_flag=bool(rule.get("creates_risk_flag", False)),
            )
            for rule in data.get("flags") or ()
        ),
        codes=_codes_from_data(str(data["code"]), data.get("codes")),
        subscales={
            str(name): tuple(int(number) for number in numbers)
            for name, numbers in (data.get("subscales") or {}).items()
        },
        item_names={
            int(number): str(name) for number, name in (data.get("item_names") or {}).items()
        },
        not_applicable_items=tuple(
            int(number) for number in data.get("not_applicable_items") or ()
        ),
    )
    _check(instrument)
    return instrument


def _check(instrument: Instrument) -> None:
    """Refuse a definition whose numbers do not add up, so a typo fails loudly at start-up."""
    name = instrument.code
    if instrument.items and len(instrument.items) != instrument.item_count:
        raise DefinitionError(f"{name}: item_count does not match the items listed.")
    if instrument.text_source == TEXT_SHIPPED and not instrument.items:
        raise DefinitionError(f"{name}: shipped wording but no items.")
    if instrument.bands:
        covered: list[int] = []
        for band in instrument.bands:
            covered.extend(range(band.minimum, band.maximum + 1))
        expected = list(range(instrument.minimum_total, instrument.maximum_total + 1))
        if sorted(covered) != expected:
            raise DefinitionError(f"{name}: bands must cover every total exactly once.")
    for rule in instrument.flags:
        if not 1 <= rule.item <= instrument.item_count:
            raise DefinitionError(f"{name}: flag {rule.code} names item {rule.item}.")
    named = {
        "an item name": tuple(instrument.item_names),
        "'not applicable'": instrument.not_applicable_items,
        **{f"subscale {key}": numbers for key, numbers in instrument.subscales.items()},
    }
    for what, numbers in named.items():
        if any(not 1 <= number <= instrument.item_count for number in numbers):
            raise DefinitionError(f"{name}: {what} names a missing item.")


@functools.cache
def shipped_instruments() -> dict[str, Instrument]:
    """Every instrument file, by code, as shipped (licensed wording not yet applied)."""
    instruments: dict[str, Instrument] = {}
    for path in sorted(INSTRUMENT_DIR.glob("*.yaml")):
        if path.name == "outcomes.yaml":
            continue
        instrument = _instrument_from_data(yaml.safe_load(path.read_text(encoding="utf-8")))
        if instrument.code in instruments:
            raise DefinitionError(f"Two files define the instrument {instrument.code}.")
        instruments[instrument.code] = instrument
    return instruments


def instrument_definition(code: str) -> Instrument:
    """The shipped definition; raises KeyError for an unknown code."""
    return shipped_instruments()[code]


@functools.cache
def outcome_rules() -> OutcomeRules:
    data = yaml.safe_load((INSTRUMENT_DIR / "outcomes.yaml").read_text(encoding="utf-8"))
    instruments = tuple(instrument_definition(str(code)) for code in data["instruments"])
    for instrument in instruments:
        if instrument.caseness_at_least is None or instrument.reliable_change is None:
            raise DefinitionError(
                f"{instrument.code} needs caseness and reliable change to be part of outcomes."
            )
    return OutcomeRules(
        version=str(data["version"]), source=str(data["source"]), instruments=instruments
    )
