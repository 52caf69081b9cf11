"""The shipped font: pinned, licensed, embeddable, covering
(docs/reference/letters-design.md §1.6, §2)."""

from __future__ import annotations

from counter.letters.fonts import (
    FONT_LICENCE,
    FONT_SHA256,
    first_unprintable,
    font_file_sha256,
    font_problems,
)


def test_the_shipped_font_has_no_problems():
    assert font_problems() == []


def test_font_is_the_pinned_version_with_its_licence():
    assert font_file_sha256() == FONT_SHA256
    text = FONT_LICENCE.read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "BIZ UDGothic Project Authors" in text


def test_coverage_of_characters_common_in_names():
    assert first_unprintable("髙﨑塚剝〒①～令和\U00029e3d") is None
    assert first_unprintable("\U00020bb7野") == "\U00020bb7"


def test_system_check_reports_a_changed_font(monkeypatch):
    from counter.letters import checks, fonts

    assert checks.letter_font_check() == []
    monkeypatch.setattr(fonts, "FONT_SHA256", "0" * 64)
    errors = checks.letter_font_check()
    assert [e.id for e in errors] == ["letters.E001"]
    assert "pinned" in errors[0].msg
