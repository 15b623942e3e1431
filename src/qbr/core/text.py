"""One rule for text shown as a name: no control, invisible or direction-changing characters; and a safe way to
print any stored text (a vendor's error message, an old row) on a terminal.

Names reach terminals (``qbr metrics list --sources``), pages and PDFs; an ESC or BEL there drives the terminal, a
right-to-left override or a zero-width space makes two different names look alike. Organization names also get
NFKC normalization and may not mix Latin, Cyrillic and Greek letters (``Аcme`` with a Cyrillic ``А``).
"""

from __future__ import annotations

import unicodedata

# Control (Cc), format (Cf: zero-width and bidirectional controls), private use, surrogates, unassigned, and the
# line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Scripts whose letters look alike; a name may use letters of at most one of them (plus any other script).
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
NAME_ACCEPTED = "visible characters only: no control, invisible or text-direction characters"


def is_hidden(character: str) -> bool:
    return unicodedata.category(character) in _HIDDEN_CATEGORIES


def codepoint(character: str) -> str:
    return f"U+{ord(character):04X}"


def hidden_character_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a name (its first hidden character, by code point), or None."""
    for position, character in enumerate(text, start=1):
        if is_hidden(character):
            name = unicodedata.name(character, "a control character")
            return f"character {position} is {codepoint(character)} ({name.lower()}), which cannot be shown"
    return None


def mixed_script_problem(text: str) -> str | None:
    """Whether ``text`` mixes letters of look-alike scripts (Latin with Cyrillic or Greek), or None."""
    seen: dict[str, str] = {}
    for character in text:
        if not character.isalpha():
            continue
        script = unicodedata.name(character, "").split(" ", 1)[0]
        if script in _CONFUSABLE_SCRIPTS:
            seen.setdefault(script, character)
    if len(seen) < 2:
        return None
    shown = ", ".join(f"{script.title()} {letter!r}" for script, letter in seen.items())
    return f"mixes letters of different scripts that look alike ({shown})"


def normalized_name(text: str) -> str:
    """NFKC (full-width and compatibility forms as their plain letters) with runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def terminal_safe(text: str) -> str:
    """``text`` with every hidden character written as an escape (``\\x1b``, ``\\u202e``), for printing."""
    if not any(is_hidden(character) for character in text):
        return text
    return "".join(
        (character if character in "\n\t" else character.encode("unicode_escape").decode("ascii"))
        if is_hidden(character)
        else character
        for character in text
    )
