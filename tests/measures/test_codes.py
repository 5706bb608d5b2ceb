"""Each instrument carries the codes records systems know it by (issue 14)."""

from __future__ import annotations

import pytest

from measures.definitions import DefinitionError, _instrument_from_data, shipped_instruments

LOINC = "http://loinc.org"
LOCAL = "https://bcbt.example.org/fhir/CodeSystem/measures"


@pytest.mark.parametrize(
    ("code", "panel", "total"),
    [("phq9", "44249-1", "44261-6"), ("gad7", "69737-5", "70274-6")],
)
def test_phq9_and_gad7_carry_their_loinc_panel_and_total_codes(
    code: str, panel: str, total: str
) -> None:
    codes = shipped_instruments()[code].codes
    assert (codes.panel.system, codes.panel.code) == (LOINC, panel)
    assert (codes.total[0].system, codes.total[0].code) == (LOINC, total)


@pytest.mark.parametrize("code", ["wsas", "wai-sr", "alliance-check", "alliance-check-pwp"])
def test_instruments_without_a_loinc_code_use_the_stated_local_code_system(code: str) -> None:
    codes = shipped_instruments()[code].codes
    assert codes.panel.system == LOCAL
    assert codes.total[0].system == LOCAL
    assert codes.panel.code != codes.total[0].code


def test_an_instrument_file_without_codes_is_refused() -> None:
    data = {
        "code": "uncoded",
        "version": "1",
        "name": "Uncoded",
        "short_name": "U",
        "purpose": "test",
        "respondent": "patient",
        "validated": False,
        "text_source": "shipped",
        "licence": "free",
        "options": [{"value": 0, "label": "No"}],
        "items": ["One"],
    }
    with pytest.raises(DefinitionError, match="codes for the panel and the total"):
        _instrument_from_data(data)
