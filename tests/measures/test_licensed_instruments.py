from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from measures.models import LicensedInstrumentText
from measures.selectors import instrument_for_use

pytestmark = pytest.mark.django_db


def test_loading_wai_sr_wording_makes_it_usable(wai_sr_file, capsys) -> None:
    assert instrument_for_use(code="wai-sr") is None
    call_command("load_licensed_instrument", "wai-sr", str(wai_sr_file), loaded_by="Service lead")
    assert "Loaded 12 items" in capsys.readouterr().out
    instrument = instrument_for_use(code="wai-sr")
    assert instrument is not None
    assert instrument.items[11] == "Test item 12"
    assert instrument.options[0].label == "Seldom-ish"
    assert instrument.options[1].label == "2"
    text = LicensedInstrumentText.objects.get()
    assert text.loaded_by == "Service lead"
    assert len(text.source_sha256) == 64


def test_loading_again_replaces_the_wording(wai_sr_file) -> None:
    call_command("load_licensed_instrument", "wai-sr", str(wai_sr_file))
    wai_sr_file.write_text(wai_sr_file.read_text().replace('Test item 1"', 'Changed item 1"'))
    call_command("load_licensed_instrument", "wai-sr", str(wai_sr_file))
    assert LicensedInstrumentText.objects.count() == 1
    assert instrument_for_use(code="wai-sr").items[0] == "Changed item 1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("items: [a, b]\n", "licence"),
        ("licence: ok\nitems: [a, b, c]\n", "12 items"),
        ("licence: ok\n", "items"),
        (
            "licence: ok\nitems:\n"
            + "".join(f"  - {{text: t{n}, subscale: goal}}\n" for n in range(1, 13)),
            "subscale",
        ),
        ("licence: ok\noptions: {7: x}\nitems: [" + ", ".join(["t"] * 12) + "]\n", "value 7"),
        ("- just a list\n", "mapping"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(tmp_path, content, message) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("load_licensed_instrument", "wai-sr", str(path))
    assert not LicensedInstrumentText.objects.exists()


def test_wording_cannot_be_loaded_over_a_shipped_instrument(wai_sr_file) -> None:
    with pytest.raises(CommandError, match="only"):
        call_command("load_licensed_instrument", "phq9", str(wai_sr_file))


def test_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_licensed_instrument", "wsas", str(tmp_path / "nope.yaml"))


def test_admin_page_says_why_wsas_is_not_offered(service_admin, service) -> None:
    from tests.conftest import client_for

    html = (
        client_for(service_admin).get("/admin/measures/measuresconfiguration/add/").content.decode()
    )
    assert "load_licensed_instrument wsas" in html
    assert "load_licensed_instrument wai-sr" in html
