"""Slash-command autocomplete: at most 25 choices from the first typed character, exact and prefix first.

Each choice shows the record's label (year, origin and kind, so look-alikes can be told apart), prefixed
by the name that matched when it is not the display name, cut to 100 characters; its value is the record
reference (``title:42``) that every resolver in ``commands.resolve`` accepts back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from commands.resolve import MAX_CANDIDATES, RULE, label, rank
from storage.keys import name_key
from storage.name_index import NameIndex, Record

MAX_CHOICE_NAME = 100


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete choice: Discord shows ``name`` (<= 100 characters) and sends back ``value``."""

    name: str
    value: str


def _choice(index: NameIndex, record: Record, matched_name: str) -> Choice:
    shown = label(index, record)
    if matched_name not in (record.name, record.id) and name_key(matched_name) not in (
            name_key(record.name), name_key(str(record.id))):
        shown = f"{matched_name} · {shown}"
    if len(shown) > MAX_CHOICE_NAME:
        shown = shown[: MAX_CHOICE_NAME - 1].rstrip() + "…"
    return Choice(shown, record.ref)


def _autocomplete_kinds(kind: str) -> tuple[str, ...]:
    if kind == "territory":
        return ("group", "territory")
    if kind in ("title", "company", "group"):
        return (kind,)
    raise ValueError(f"autocomplete has no kind {kind!r}")


def autocomplete(index: NameIndex, kind: str, text: str, limit: int = MAX_CANDIDATES) -> list[Choice]:
    """Choices for a slash command option: exact names first, then names and words the text starts, then
    typo-tolerant matches; each labelled with year and origin, valued with the record's reference."""
    limit = min(limit, MAX_CANDIDATES)
    kinds = _autocomplete_kinds(kind)
    key = name_key(text)
    picked: dict[int, str] = {}

    def take(kind_: str, key_ids: Iterable[int]) -> None:
        for key_id in key_ids:
            for position, matched in index.key_records(kind_, key_id):
                if len(picked) >= limit:
                    return
                picked.setdefault(position, matched)

    for kind_ in kinds:
        exact = index.exact(kind_, key)
        if exact is not None:
            take(kind_, [exact])
    for kind_ in kinds:
        take(kind_, index.prefixed(kind_, key, limit))
    words = key.split()
    if words and len(picked) < limit:
        last = words[-1]
        for kind_ in kinds:
            # Names with a later word the text starts ("cell" -> Miracle in Cell No. 7).
            if len(last) >= 3:
                starts = [m.word for m in index.word_matches(kind_, last) if m.similarity >= 0.9]
            else:
                starts = [last] if index.has_word(kind_, last) else []
            for word in starts[:8]:
                ids = [i for i in index.postings(kind_, word, 4 * limit)
                       if set(words[:-1]) <= set(index.key(kind_, i).split())]
                take(kind_, ids)
    if len(key) >= 3 and len(picked) < limit:
        ranked = sorted((s for kind_ in kinds for s in rank(index, kind_, words)), key=lambda s: -s.score)
        for scored in ranked:
            if len(picked) >= limit or scored.score < RULE.floor:
                break
            picked.setdefault(scored.position, scored.matched_name)
    return [_choice(index, index.record_at(position), matched) for position, matched in picked.items()]
