from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from modules.loader import CONTENT_DIR, PWP_GUIDE_HEADINGS, ContentError, content_parse_all
from modules.models import Module, ModuleVersion
from modules.rendering import markdown_render
from modules.services import assignment_start, modules_load
from tests.modules.conftest import assignment_for

CONTENTS = content_parse_all()


def test_the_depression_pathway_has_the_six_low_intensity_topics_and_three_add_ons() -> None:
    pathway = [content.slug for content in CONTENTS if content.kind == "pathway"]
    add_ons = [content.slug for content in CONTENTS if content.kind == "add_on"]
    assert len(pathway) >= 6
    assert len(add_ons) >= 3
    for slug in (
        "understanding-low-mood",
        "activity-diary",
        "planning-valued-activities",
        "unhelpful-thoughts",
        "problem-solving",
        "better-sleep",
        "staying-well",
    ):
        assert slug in pathway
    assert {"managing-worry", "stress-and-tension"} <= set(add_ons)


@pytest.mark.parametrize("content", CONTENTS, ids=[content.slug for content in CONTENTS])
def test_every_shipped_module_is_short_and_complete(content) -> None:
    assert 2 <= len(content.pages) <= 4
    assert content.estimated_minutes >= 5
    assert content.tags
    assert content.exercises, "at least one structured exercise"
    for exercise in content.exercises:
        assert len(exercise["fields"]) >= 3
        assert any(field["required"] for field in exercise["fields"])
    for heading in PWP_GUIDE_HEADINGS:
        assert heading in content.pwp_guide
    # Short sentences for a tired reader: no page is a wall of text.
    for page in content.pages:
        assert len(page["body"].split()) < 260, page["title"]


def test_shipped_content_is_loaded_with_a_version_each(db) -> None:
    assert Module.objects.filter(latest_version__isnull=False).count() == len(CONTENTS)
    version = Module.objects.get(slug="unhelpful-thoughts").latest_version
    assert version is not None
    assert version.title == "Noticing and challenging unhelpful thoughts"
    assert version.step_count == len(version.pages) + len(version.exercises)
    assert version.exercises[0]["fields"][0]["name"] == "situation"


def test_loading_unchanged_content_creates_nothing(db) -> None:
    before = (Module.objects.count(), ModuleVersion.objects.count())
    result = modules_load()
    assert result.created_modules == result.created_versions == 0
    assert result.unchanged == len(CONTENTS)
    assert (Module.objects.count(), ModuleVersion.objects.count()) == before


def _copy_content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def test_edited_content_makes_a_new_version_and_a_patient_part_way_keeps_theirs(
    tmp_path, episode, other_episode
) -> None:
    started = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=started)
    first_version = started.version
    assert first_version is not None
    assert first_version.number == 1

    root = _copy_content(tmp_path)
    module_file = root / "understanding-low-mood" / "module.md"
    module_file.write_text(
        module_file.read_text().replace("Low mood is very common.", "Low mood is common.")
    )
    result = modules_load(root=root)

    assert result.created_versions == 1
    module = Module.objects.get(slug="understanding-low-mood")
    assert module.latest_version is not None
    assert module.latest_version.number == 2
    started.refresh_from_db()
    assert started.version == first_version
    newcomer = assignment_for(other_episode, "understanding-low-mood")
    assignment_start(assignment=newcomer)
    assert newcomer.version == module.latest_version
    assert "Low mood is common." in newcomer.version.pages[0]["body"]
    # Loading the edited content again creates nothing more.
    assert modules_load(root=root).created_versions == 0


def test_a_new_module_folder_is_loaded_as_a_new_module(tmp_path, db) -> None:
    root = _copy_content(tmp_path)
    shutil.copytree(root / "managing-worry", root / "managing-worry-copy")
    result = modules_load(root=root)
    assert result.created_modules == 1
    assert result.created_versions == 1


@pytest.mark.parametrize(
    ("file_name", "old", "new", "message"),
    [
        ("exercise.yaml", "type: time", "type: clock", "has type 'clock'"),
        ("pwp_guide.md", "## Common sticking points", "## Problems", "Common sticking points"),
        ("module.md", "kind: add_on", "kind: extra", "kind must be one of"),
        ("exercise.yaml", "max: 30", "max: 3", "min of 'minutes' must be below max"),
    ],
)
def test_broken_content_is_refused_naming_the_file(
    tmp_path, db, file_name, old, new, message
) -> None:
    root = _copy_content(tmp_path)
    path = root / "managing-worry" / file_name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError, match=message) as raised:
        modules_load(root=root)
    assert file_name in str(raised.value)
    assert ModuleVersion.objects.filter(module__slug="managing-worry").count() == 1


def test_load_modules_command_reports_what_it_did(db, capsys) -> None:
    call_command("load_modules")
    assert f"{len(CONTENTS)} unchanged" in capsys.readouterr().out


def test_markdown_is_rendered_and_anything_unsafe_is_removed() -> None:
    html = markdown_render(
        "**Go slowly.**\n\n- one\n- two\n\n<script>alert(1)</script>\n\n"
        '<a href="javascript:alert(1)" onclick="x()">link</a>'
    )
    assert "<strong>Go slowly.</strong>" in html
    assert "<li>one</li>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onclick" not in html
