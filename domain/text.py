"""Text fields: what commands accept, and what stored events hold.

Names and free text come from people and end up in statements, CSV files, terminals and
SQL results. Control characters (NUL, ESC, BEL…), lone surrogates and bidirectional
overrides have no place in them: they are refused at the door, naming the field. Stored
events keep the looser types, so a log written before this rule still loads.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# C0 and C1 controls (tab and newline excepted in free text), surrogates, bidi controls.
_FORBIDDEN = "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_IN_NAME = re.compile(f"[{_FORBIDDEN}\t\n]")
_IN_TEXT = re.compile(f"[{_FORBIDDEN}]")


def _refuse(pattern: re.Pattern[str], value: str) -> str:
    if found := pattern.search(value):
        raise ValueError(f"contains the control character U+{ord(found[0]):04X} at position "
                         f"{found.start()}; write plain text")
    return value


def check_name(value: str) -> str:
    return _refuse(_IN_NAME, value)


def check_text(value: str) -> str:
    return _refuse(_IN_TEXT, value)


StoredName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StoredText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Name = Annotated[StoredName, AfterValidator(check_name)]
Text = Annotated[StoredText, AfterValidator(check_text)]
