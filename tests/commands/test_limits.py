"""Long answers are split so every page fits Discord's embed limits, and nothing is dropped on the way."""

from __future__ import annotations

from commands.limits import (
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    PAGE_CHARS_MAX,
    clip,
    lines_into_fields,
    paginate,
    rows_into_pages,
)
from commands.reply import Field


def test_clip_cuts_at_a_word_and_marks_it() -> None:
    assert clip("short", 10) == "short"
    cut = clip("one two three four five six", 15)
    assert len(cut) <= 15
    assert cut == "one two three…"


def test_lines_fill_fields_without_losing_a_line() -> None:
    lines = [f"line {n:03d} " + "x" * 90 for n in range(40)]
    fields = lines_into_fields("Audience", lines, confidential=True)
    assert all(len(f.value) <= FIELD_VALUE_MAX for f in fields)
    assert [f.name for f in fields][:2] == ["Audience", "Audience (cont.)"]
    assert all(f.confidential for f in fields)
    assert "\n".join(f.value for f in fields).splitlines() == lines


def test_one_overlong_line_is_clipped_not_dropped() -> None:
    fields = lines_into_fields("N" * 300, ["word " * 400])
    assert len(fields) == 1
    assert len(fields[0].value) <= FIELD_VALUE_MAX
    assert fields[0].value.endswith("…")
    assert len(fields[0].name) <= FIELD_NAME_MAX


def test_pages_keep_field_count_and_size_limits() -> None:
    fields = [Field(f"Deal {n}", "v" * 700) for n in range(60)]
    pages = paginate(fields)
    assert sum(len(p.fields) for p in pages) == 60
    for page in pages:
        assert len(page.fields) <= FIELDS_MAX
        assert sum(len(f.name) + len(f.value) for f in page.fields) < PAGE_CHARS_MAX


def test_rows_into_pages_ten_lines_a_page() -> None:
    lines = [f"row {n}" for n in range(23)]
    pages = rows_into_pages("Ratings", lines)
    assert [len(p.fields[0].value.splitlines()) for p in pages] == [10, 10, 3]
