"""Fonts: which script a language prints in, where instances are cached, what the command makes."""

from pathlib import Path

import pytest
from django.core.management import call_command

from liaison.documents import fonts


@pytest.mark.parametrize(
    ("language", "script"), [("zh-hant", "TC"), ("zh-hans", "SC"), ("zh-Hans", "SC"), ("en", "TC"), ("", "TC")]
)
def test_script_for_language(language, script):
    assert fonts.script_for(language) == script


def test_instances_are_cached_outside_the_repository_under_the_package_version(monkeypatch, tmp_path):
    monkeypatch.setenv("LIAISON_FONT_CACHE", str(tmp_path))

    path = fonts.instance_path("TC", "Regular")

    assert path.parent == tmp_path
    assert path.name.startswith("NotoSansTC-Regular-") and path.suffix == ".ttf"
    assert fonts.variable_font_path("SC").exists()


def test_command_makes_regular_and_bold_of_both_scripts(monkeypatch, tmp_path, capsys):
    made = []

    def fake_make(script: str, weight: str) -> Path:
        made.append((script, weight))
        return tmp_path / f"{script}-{weight}.ttf"

    monkeypatch.setattr(fonts, "instance_make", fake_make)

    call_command("liaison_fonts")

    assert sorted(made) == [("SC", "Bold"), ("SC", "Regular"), ("TC", "Bold"), ("TC", "Regular")]


def test_printing_fast_uses_cached_instances_or_the_variable_font(settings):
    tc = fonts.font_set("TC", static=False)

    assert tc.covers("補") and tc.covers("A")
    assert not tc.covers("货")  # Simplified only: borrowed from SC when printed
    assert fonts.font_set("SC", static=False).covers("货")
