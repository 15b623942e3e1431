"""The one text rule for names, and how stored text is printed on a terminal."""

from __future__ import annotations

import pytest

from qbr.core.text import hidden_character_problem, mixed_script_problem, normalized_name, terminal_safe


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x1bb", "U+001B"),
        ("a\x07", "U+0007"),
        ("a\u200bb", "U+200B"),
        ("\u202eabc", "U+202E"),
        ("a\u2028b", "U+2028"),
    ],
)
def test_hidden_characters_are_named_by_code_point(text: str, code: str) -> None:
    problem = hidden_character_problem(text)
    assert problem is not None
    assert code in problem


@pytest.mark.parametrize(
    "text", ["Acme Corp", "Société Générale", "ООО Ромашка", "Ακμή", "株式会社 ACME", "O'Brien & Co."]
)
def test_ordinary_names_pass(text: str) -> None:
    assert hidden_character_problem(text) is None
    assert mixed_script_problem(text) is None


def test_look_alike_scripts_may_not_mix() -> None:
    problem = mixed_script_problem("Аcme")  # Cyrillic А, Latin cme
    assert problem is not None
    assert "Cyrillic" in problem
    assert "Latin" in problem


def test_names_are_nfkc_normalized() -> None:
    assert normalized_name("  Ａｃｍｅ\u00a0 Corp ") == "Acme Corp"


def test_terminal_safe_escapes_only_what_is_hidden() -> None:
    assert terminal_safe("plain café") == "plain café"
    assert terminal_safe("a\x1b[2Jb\x07") == "a\\x1b[2Jb\\x07"
    assert terminal_safe("\u202eevil") == "\\u202eevil"
