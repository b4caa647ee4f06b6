"""Posting a digest to Discord: split within the limits, a deterministic nonce per part, retries with backoff.

Why a nonce: a post whose answer was lost (a timeout, a 502 after Discord stored the message, a crash before
the database recorded it) is sent again. discord.py sends ``nonce`` with ``enforce_nonce``, and Discord then
answers a repeated nonce with the message it already made, so the retry cannot post twice. The nonce is
derived from the digest (channel and due time) and the part number, never random, so it is the same after
a restart. Nothing pings anyone unless the schedule names a role, and then only that role.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aiohttp
import discord

from bot.render import EMBED_MAX, FIELD_VALUE_MAX, FIELDS_MAX, TITLE_MAX, escape, fit, timestamp
from commands.announce import Digest

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
RETRIES = 4  # on top of discord.py's own retries of 5xx and 429
BACKOFF_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
_FOOTER_ROOM = 600  # sources and the part counter
_PART_FIELD_CHARS = EMBED_MAX - TITLE_MAX - _FOOTER_ROOM - 400  # 400 for the description (the late note)


class PostFailed(Exception):
    """A digest that could not be posted now; ``permanent`` when trying again cannot help (403, 404)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Part:
    """One message of a digest: content only when a role is pinged, one embed."""

    content: str | None
    embed: discord.Embed


def digest_nonce(channel_id: int, due_at_iso: str) -> str:
    """20 hex characters from what identifies a digest; a part adds ``.n`` (Discord allows 25)."""
    return hashlib.sha256(f"{channel_id}|{due_at_iso}".encode()).hexdigest()[:20]


def part_nonce(nonce: str, part: int) -> str:
    return f"{nonce}.{part}"


def _lines(digest: Digest) -> list[tuple[str, list[str]]]:
    """(field name, escaped lines) per title; dates as Discord timestamps that each reader sees locally."""
    groups = []
    for group in digest.groups:
        lines = []
        for line in group.lines:
            when = timestamp(line.aired, "D") if line.aired else "date not stated"
            mark = "**Correction:** " if line.kind == "correction" else ""
            text = fit(line.text, FIELD_VALUE_MAX - len(mark) - len(when) - 3)
            lines.append(f"{mark}{text} · {when}")
        groups.append((fit(group.title, 200), lines))
    return groups


def _fields(groups: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, str]]:
    """Each title's lines in fields of at most 1024 characters; continued fields say so."""
    fields: list[tuple[str, str]] = []
    for name, lines in groups:
        chunk: list[str] = []
        title = name
        for line in lines:
            if chunk and len("\n".join([*chunk, line])) > FIELD_VALUE_MAX:
                fields.append((title, "\n".join(chunk)))
                chunk, title = [], f"{name} (cont.)"
            chunk.append(line)
        if chunk:
            fields.append((title, "\n".join(chunk)))
    return fields


def render_digest(digest: Digest, *, ping_role_id: int | None = None) -> list[Part]:
    """The digest as messages of one embed each, every one within Discord's limits."""
    batches: list[list[tuple[str, str]]] = [[]]
    size = 0
    for name, value in _fields(_lines(digest)):
        length = len(name) + len(value)
        if batches[-1] and (len(batches[-1]) >= FIELDS_MAX or size + length > _PART_FIELD_CHARS):
            batches.append([])
            size = 0
        batches[-1].append((name, value))
        size += length
    notes = list(digest.notes)
    if digest.late:
        notes.insert(0, f"Posted late: this digest was due {timestamp(digest.due_at, 'f')}.")
    sources = "Sources: " + "; ".join(digest.sources) if digest.sources else ""
    parts = []
    for number, fields in enumerate(batches, 1):
        embed = discord.Embed(title=fit(digest.headline, TITLE_MAX), colour=discord.Colour(0x1F6F8B))
        for name, value in fields:
            embed.add_field(name=name, value=value, inline=False)
        if number == 1 and notes:
            embed.description = "\n".join(f"Note: {escape(note)}" if "<t:" not in note else note for note in notes)
        footer = " · ".join(part for part in (
            f"Part {number} of {len(batches)}" if len(batches) > 1 else "", sources[:_FOOTER_ROOM - 30]) if part)
        if footer:
            embed.set_footer(text=footer)
        content = f"<@&{ping_role_id}>" if ping_role_id is not None and number == 1 else None
        parts.append(Part(content, embed))
    return parts


def mentions_for(ping_role_id: int | None) -> discord.AllowedMentions:
    """Nobody, or exactly the schedule's role."""
    if ping_role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                   roles=[discord.Object(id=ping_role_id)])


def _transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, asyncio.TimeoutError | aiohttp.ClientError | OSError)


async def post_parts(channel: discord.abc.Messageable, parts: Sequence[Part], *, nonce: str,
                     ping_role_id: int | None, sleep: Sleep = asyncio.sleep, retries: int = RETRIES,
                     send_timeout: float = 30.0) -> list[int]:
    """Send every part in order, each retried with backoff; message ids in order. Raises PostFailed.

    A part already sent (a retry of a whole digest after a crash) comes back as the same message, because
    its nonce is the same; so a digest is always resent from its first part.
    """
    ids: list[int] = []
    for number, part in enumerate(parts):
        for attempt in range(retries + 1):
            try:
                message = await asyncio.wait_for(channel.send(
                    content=part.content, embed=part.embed, nonce=part_nonce(nonce, number),
                    allowed_mentions=mentions_for(ping_role_id),
                ), send_timeout)
            except Exception as error:
                if not _transient(error):
                    raise PostFailed(f"{type(error).__name__}: {error}", permanent=True) from error
                if attempt == retries:
                    raise PostFailed(f"{type(error).__name__}: {error}", permanent=False) from error
                delay = min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2 ** attempt)
                log.warning("posting part %d of digest %s failed (%s); retrying in %.0f s",
                            number + 1, nonce, error, delay)
                await sleep(delay)
            else:
                ids.append(message.id)
                break
    return ids
