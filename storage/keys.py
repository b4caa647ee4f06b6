"""Normalized search keys: one function so every lookup compares names the same way on every engine."""

from __future__ import annotations

import re

from anyascii import anyascii

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# "No. 7", "no 7", "Nº 7", "#7" all mean the number 7 in a title.
_NUMBER_MARK = re.compile(r"(?:\bno\s*|#\s*)(?=\d)")


def name_key(text: str) -> str:
    """Return the search key of a name: transliterated to ASCII, casefolded, punctuation folded to spaces.

    Turkish dotted and dotless I both become ``i`` (anyascii runs before casefolding, so ``İ`` never
    turns into ``i`` plus a combining dot), ``Nº 7`` / ``No. 7`` / ``#7`` fold to ``7``, and runs of
    anything that is not a letter or digit collapse into one space.

    >>> name_key("7. Koğuştaki Mucize")
    '7 kogustaki mucize'
    >>> name_key("KOĞUŞTAKİ MUCİZE")
    'kogustaki mucize'
    >>> name_key("Miracle in Cell No. 7")
    'miracle in cell 7'
    """
    ascii_text = anyascii(text).casefold().replace("nº", "no ").replace("n°", "no ")
    spaced = _NON_ALNUM.sub(" ", ascii_text)
    return _NUMBER_MARK.sub("", spaced).strip()
