"""Neutral replies as Discord embeds: the one place that knows Discord's limits and its markdown.

``commands/`` already keeps the limits (``commands.limits``), so a reply fits: this module escapes the
catalog's text (escaping makes it longer), clips what may be clipped (title, description, footer) with an
ellipsis, and refuses to drop a field. A reply whose fields cannot fit is a bug in the command that built
it, so it raises :class:`ReplyOverflow` (the error funnel logs it) instead of showing half an answer.

Catalog and user text is escaped everywhere markdown renders (title, description, field names and values),
so a title called ``@everyone **boom**`` renders literally; the footer is plain text on Discord and is left
as it is. Messages are sent with ``AllowedMentions.none()`` on top of that (see ``bot.views.send_reply``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from commands.limits import clip
from commands.reply import Field, Reply, ReplyKind

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
EMBED_MAX = 6000  # all text of all embeds of one message
ALT_TEXT_MAX = 1024
FOOTER_SHARE = 1024  # footer room reserved before the description is fitted; the rest goes to the footer after

HIDDEN_NOTE = "Fees and terms hidden here; ask privately."
COLOURS = {
    ReplyKind.ANSWER: discord.Colour(0x1F6F8B),
    ReplyKind.CHOICE: discord.Colour(0xE0A21F),
    ReplyKind.NOT_FOUND: discord.Colour(0xE07A1F),
    ReplyKind.PROBLEM: discord.Colour(0xC0392B),
}
TIMESTAMP_STYLES = frozenset("fFdDtTsSR")

# Discord's angle-bracket syntax: <@user>, <@&role>, <#channel>, </command:id>, <:emoji:id>, <a:..>, <t:..>.
_ANGLE_SYNTAX = re.compile(r"<(?=[@#/:]|a:|t:)")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_HELD = re.compile("\ue000(\\d+)\ue001")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")
_EMPTY = "\u200b"  # Discord refuses an empty field name or value


class ReplyOverflow(RuntimeError):
    """A reply that cannot be shown whole within Discord's limits: its command did not page it."""


@dataclass(frozen=True)
class Rendered:
    """One message, ready for ``send(content=..., embeds=..., files=...)``; files can be sent once only."""

    content: str | None
    embeds: list[discord.Embed]
    files: list[discord.File]


def escape(text: str) -> str:
    """Text that renders literally in Discord markdown and mentions nobody.

    Inline code spans (`` `!help` ``, as the commands write what to type) are kept: nothing in code renders
    as markdown or a mention, and escaping inside one would show the backslashes.
    """
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group())
        return f"\ue000{len(spans) - 1}\ue001"

    text = _CODE_SPAN.sub(hold, text.replace("\ue000", "").replace("\ue001", ""))
    text = discord.utils.escape_markdown(text)
    text = _ANGLE_SYNTAX.sub(r"\\<", text)
    text = discord.utils.escape_mentions(text)
    return _HELD.sub(lambda match: spans[int(match.group(1))], text)


def fit(text: str, limit: int) -> str:
    """``text`` escaped and, when the escaped text is longer than ``limit``, clipped at a word with an ellipsis.

    The clipping is done before escaping, so an escape is never cut in half.
    """
    if limit < 1:
        return ""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    best, low, high = "…", 1, limit  # the longest cut whose escaped form fits: escaping grows text unevenly
    while low <= high:
        size = (low + high) // 2
        candidate = escape(clip(text, size))
        if len(candidate) <= limit:
            best, low = candidate, size + 1
        else:
            high = size - 1
    return best


def timestamp(moment: dt.datetime | dt.date, style: str = "D") -> str:
    """``<t:unix:D>``: each reader sees the moment in their own zone and language.

    A naive datetime is taken as UTC. A date becomes noon UTC on that day, so readers from UTC-12 to UTC+11
    see the same calendar day. Put these into embeds after escaping (``escape`` would show them literally).
    """
    if style not in TIMESTAMP_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}; use one of {''.join(sorted(TIMESTAMP_STYLES))}")
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12), tzinfo=dt.UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"<t:{int(moment.timestamp())}:{style}>"


def visible_pages(reply: Reply, *, show_confidential: bool = False) -> list[tuple[Field, ...]]:
    """The pages a reader sees: without confidential fields unless allowed, and without pages left empty."""
    pages = [_visible(page.fields, show_confidential) for page in reply.pages]
    return [fields for fields in pages if fields]


def page_count(reply: Reply, *, show_confidential: bool = False) -> int:
    """How many pages ``render_reply`` can show (at least one), for the same ``show_confidential``."""
    return max(1, len(visible_pages(reply, show_confidential=show_confidential)))


def render_reply(reply: Reply, *, page: int = 0, show_confidential: bool = False) -> Rendered:
    """One page of ``reply`` as one embed (plus the chart as an attachment shown in it).

    Confidential fields are left out unless ``show_confidential`` (the caller has checked the reader's role
    and that the place is private); when any are left out, a note says so.
    """
    pages = visible_pages(reply, show_confidential=show_confidential)
    count = max(1, len(pages))
    if not 0 <= page < count:
        raise IndexError(f"page {page} of a reply with {count} page(s): {reply.headline!r}")
    fields = [*_visible(reply.fields, show_confidential), *(pages[page] if pages else ())]
    notes = list(reply.notes)
    if reply.has_confidential and not show_confidential:
        notes.append(HIDDEN_NOTE)

    embed = discord.Embed(colour=COLOURS[reply.kind])
    rendered_fields = _fields(reply, fields)
    for name, value, inline in rendered_fields:
        embed.add_field(name=name, value=value, inline=inline)
    title = fit(reply.headline, TITLE_MAX)
    embed.title = title
    room = EMBED_MAX - len(title) - sum(len(name) + len(value) for name, value, _ in rendered_fields)
    if room < 0:
        raise ReplyOverflow(f"the fields of {reply.headline!r} (page {page + 1}) need {EMBED_MAX - room} of "
                            f"{EMBED_MAX} characters; the command should page them (commands.limits.paginate)")

    footer_full = _footer(reply, page, count)
    footer = _clip(footer_full, min(FOOTER_MAX, FOOTER_SHARE, room))
    lead = escape(reply.headline) if title != escape(reply.headline) else ""
    description = _description(reply, lead, notes, min(DESCRIPTION_MAX, room - len(footer)))
    if footer != footer_full:  # the description took less than it could: give the rest to the footer
        footer = _clip(footer_full, min(FOOTER_MAX, room - len(description)))
    if description:
        embed.description = description
    if footer:
        embed.set_footer(text=footer)

    files: list[discord.File] = []
    if reply.chart is not None:
        filename = _UNSAFE_FILENAME.sub("_", reply.chart.filename) or "chart.png"
        files.append(discord.File(io.BytesIO(reply.chart.png), filename=filename,
                                  description=clip(reply.chart.alt_text, ALT_TEXT_MAX) or None))
        embed.set_image(url=f"attachment://{filename}")
    return Rendered(content=None, embeds=[embed], files=files)


def _visible(fields: Iterable[Field], show_confidential: bool) -> tuple[Field, ...]:
    return tuple(f for f in fields if show_confidential or not f.confidential)


def _fields(reply: Reply, fields: Sequence[Field]) -> list[tuple[str, str, bool]]:
    if len(fields) > FIELDS_MAX:
        raise ReplyOverflow(f"{reply.headline!r} has {len(fields)} fields on one page; Discord shows "
                            f"{FIELDS_MAX}. The command should page them (commands.limits.paginate)")
    return [(fit(f.name, FIELD_NAME_MAX) or _EMPTY, fit(f.value, FIELD_VALUE_MAX) or _EMPTY, f.inline)
            for f in fields]


def _footer(reply: Reply, page: int, count: int) -> str:
    """Plain text (Discord renders no markdown in footers): the page, then the sources."""
    parts = [f"Page {page + 1} of {count}"] if count > 1 else []
    if reply.sources:
        parts.append("Sources: " + "; ".join(reply.sources))
    return " · ".join(parts)


def _description(reply: Reply, lead: str, notes: Sequence[str], limit: int) -> str:
    """Headline in full (only when the title had to be cut), body, candidates, notes; the body gives way first."""
    tail: list[str] = []
    if reply.kind in (ReplyKind.CHOICE, ReplyKind.NOT_FOUND) and reply.candidates:
        tail.append("\n".join(_candidate_line(number, c.label, c.query)
                               for number, c in enumerate(reply.candidates, 1)))
    if notes:
        tail.append("\n".join(f"Note: {escape(note)}" for note in notes))
    head = [part for part in (lead, escape(reply.body)) if part]
    whole = "\n\n".join([*head, *tail])
    if len(whole) <= limit:
        return whole
    fixed = "\n\n".join(tail)
    body_room = limit - len(fixed) - (2 if fixed else 0) - (2 if lead else 0) - len(lead)
    if reply.body and body_room >= 20:
        body = fit(reply.body, body_room)
        return "\n\n".join(part for part in (lead, body, fixed) if part)
    return _clip(whole, limit)


def _candidate_line(number: int, label: str, query: str) -> str:
    """``1. Label — `!title Name (2019, TR)```: what to type, as code so it renders exactly."""
    typed = query.replace("`", "ˋ")  # a backtick would end the code span
    return f"{number}. {escape(label)} — `{typed}`" if typed.strip() else f"{number}. {escape(label)}"


def _clip(text: str, limit: int) -> str:
    return clip(text, limit) if limit >= 1 else ""
