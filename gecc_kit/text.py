"""What people type, made safe to keep and show: plain data, no widgets, no storage.

- **Names** (a participant's name, office, table) are one line in Unicode NFC, without
  direction overrides (which can make a name read as another) or invisible characters
  (which can make two names look the same, or a name look empty), at most
  :data:`MAX_NAME` visible characters.
- **Texts** (notes, plan fields) are kept verbatim, at most :data:`MAX_TEXT` characters (a
  long Thai paragraph); a longer one is refused whole, never cut.
"""
from __future__ import annotations

import re
import unicodedata

MAX_NAME = 120
MAX_TEXT = 2000

# Bidirectional embeddings, overrides and isolates, and directional marks.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Zero-width and other invisible format characters, and the byte-order mark.
_INVISIBLE = "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0"
_DROP_NAME = re.compile(f"[{_BIDI}{_INVISIBLE}]")
_SPACE_NAME = re.compile("[\\x00-\\x1f\\x7f-\\x9f\u00a0]")


def clean_name(value: str) -> str:
    """A name as it is kept: NFC, one line, no direction or invisible characters, spaces collapsed."""
    value = unicodedata.normalize("NFC", value or "")
    value = _SPACE_NAME.sub(" ", _DROP_NAME.sub("", value))
    return " ".join(value.split())


def name_too_long(value: str) -> bool:
    return len(value) > MAX_NAME


def text_too_long(value: str) -> bool:
    return len(value) > MAX_TEXT
