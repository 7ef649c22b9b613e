"""The characters refused in anything stored (a records file's values and what people type), and
the one rule for the words people type: not too long, no refused character.

Kept apart from ``safeguarding.contract`` (which needs DuckDB) so that a small write, such as
adding an action from the command line, checks its words without loading the database engine.
"""

from __future__ import annotations

import re

# Characters refused in any value: C0 and C1 control characters other than tab and line breaks
# (ESC, BEL, ...), DEL, and the invisible formatting characters that hide or reorder text on
# screen: bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069, the
# marks U+200E, U+200F, U+061C), zero-width characters (U+200B-U+200D, U+2060, U+FEFF, U+180E)
# and the other characters that draw nothing (a text of them alone would pass for words): the
# soft hyphen U+00AD, the combining grapheme joiner U+034F, the invisible operators
# U+2061-U+2064, the deprecated format characters U+206A-U+206F, the Hangul and Khmer fillers
# (U+115F, U+1160, U+17B4, U+17B5, U+3164, U+FFA0), the interlinear annotation marks
# U+FFF9-U+FFFB and the tag characters U+E0000-U+E007F; and U+FFFD, the mark of a character that
# could not be read (a carriage return on its own, in a file that mixes line ends, is read as
# one). As an RE2 character class (DuckDB's regular expressions).
REFUSED_CHARACTERS = (
    r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{00AD}\x{034F}\x{061C}\x{115F}\x{1160}"
    r"\x{17B4}\x{17B5}\x{180E}\x{200B}-\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}"
    r"\x{2066}-\x{206F}\x{3164}\x{FEFF}\x{FFA0}\x{FFF9}-\x{FFFB}\x{FFFD}\x{E0000}-\x{E007F}]"
)
# The same class for Python's regular expressions: what people type into the dashboard (an
# action, a reason, a targets file) is held to the same rule as a records file.
REFUSED_PATTERN = re.compile(
    re.sub(
        r"\\x\{([0-9A-Fa-f]{4,6})\}",
        lambda code: f"\\U{int(code.group(1), 16):08X}",
        REFUSED_CHARACTERS,
    )
)


MAX_NAME = 200  # who made a change (a person's name or a role), wherever it is given


def refused_character(text: str | None) -> str | None:
    """The first refused character in ``text`` as U+XXXX, or None if it has none."""
    found = REFUSED_PATTERN.search(text or "")
    return f"U+{ord(found.group()):04X}" if found else None


def refused_words(text: str | None, what: str) -> str | None:
    """Why ``text`` (the user's ``what``: "reason", "owner") is refused, or None if it is not."""
    code = refused_character(text)
    if code is None:
        return None
    return f"The {what} contains an invisible or control character ({code}): remove it."


def words_problem(text: str, what: str, limit: int) -> str | None:
    """Why words someone typed (an action, a reason, a name) cannot be stored: longer than
    ``limit`` characters, or holding a refused character; None if they can."""
    if len(text) > limit:
        return f"The {what} is too long ({len(text)} characters; at most {limit})."
    return refused_words(text, what)


# In a file's name: the characters refused in values, and tab and line breaks (a name is one line).
_HIDDEN_IN_NAME = re.compile(f"{REFUSED_PATTERN.pattern}|[\t\n\r]")


def plain_file_name(file_name: str) -> str:
    """A file's name as every message and the audit show it: each character that could hide or
    reorder text on screen (those refused in values), and each tab or line break, written as
    <U+XXXX>. The file is not refused for its name; the name just cannot make a message read
    otherwise than it does. A name already made plain stays as it is."""
    return _HIDDEN_IN_NAME.sub(lambda found: f"<U+{ord(found.group()):04X}>", file_name)
