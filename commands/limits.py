"""The limits every reply keeps, so no renderer ever has to drop data silently.

They are Discord's embed limits (the strictest face): a reply that fits them fits the console too.
Long lists are split into pages here, in the reply itself; the renderer only shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from commands.reply import Field, Page

HEADLINE_MAX = 256
BODY_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
PAGE_CHARS_MAX = 6000  # all text of one message's embeds
# Room a page leaves for the headline, body, notes and sources the renderer adds around its fields.
PAGE_FIELD_CHARS = 3500
LINES_PER_PAGE = 10


def clip(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    cut = cut if cut > limit // 2 else limit - 1
    return text[:cut].rstrip() + "…"


def lines_into_fields(name: str, lines: Iterable[str], *, inline: bool = False,
                      confidential: bool = False) -> list[Field]:
    """Lines as one or more fields of at most 1024 characters; later fields are named "<name> (cont.)"."""
    fields: list[Field] = []
    chunk: list[str] = []
    size = 0
    for raw in lines:
        line = clip(raw, FIELD_VALUE_MAX)
        if chunk and size + 1 + len(line) > FIELD_VALUE_MAX:
            fields.append(Field(name if not fields else f"{name} (cont.)", "\n".join(chunk), inline, confidential))
            chunk, size = [], 0
        size += len(line) + (1 if chunk else 0)
        chunk.append(line)
    if chunk:
        fields.append(Field(name if not fields else f"{name} (cont.)", "\n".join(chunk), inline, confidential))
    return [Field(clip(f.name, FIELD_NAME_MAX), f.value, f.inline, f.confidential) for f in fields]


def paginate(fields: Sequence[Field], *, per_page_chars: int = PAGE_FIELD_CHARS) -> tuple[Page, ...]:
    """Fields split into pages of at most 25 fields and ``per_page_chars`` characters each."""
    return paginate_blocks([[field] for field in fields], per_page_chars=per_page_chars)


def paginate_blocks(blocks: Sequence[Sequence[Field]], *,
                    per_page_chars: int = PAGE_FIELD_CHARS) -> tuple[Page, ...]:
    """Blocks of fields (one deal and its confidential terms, say) as pages; a block is never split."""
    pages: list[Page] = []
    current: list[Field] = []
    size = 0
    for block in blocks:
        length = sum(len(f.name) + len(f.value) for f in block)
        if current and (len(current) + len(block) > FIELDS_MAX or size + length > per_page_chars):
            pages.append(Page(tuple(current)))
            current, size = [], 0
        current.extend(block)
        size += length
    if current:
        pages.append(Page(tuple(current)))
    return tuple(pages)


def rows_into_pages(name: str, lines: Sequence[str], *, per_page: int = LINES_PER_PAGE,
                    confidential: bool = False) -> tuple[Page, ...]:
    """A long list as pages of ``per_page`` lines, each page one field (split further if too long)."""
    pages: list[Page] = []
    for start in range(0, len(lines), per_page):
        fields = lines_into_fields(name, lines[start:start + per_page], confidential=confidential)
        pages.extend(paginate(fields))
    return tuple(pages)
