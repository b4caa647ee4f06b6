"""The embed renderer: every Discord limit on the largest replies, escaping, confidentiality, charts, pages.

Pure: replies in, embeds out, no Discord. (Sending a mention-laden reply through the local Discord
stand-in is in ``test_views.py``, next to the other tests that run the real client.) The demo test at the
end renders what the real commands answer on the demo catalog.
"""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from bot.render import (
    COLOURS,
    HIDDEN_NOTE,
    ReplyOverflow,
    escape,
    page_count,
    render_reply,
    timestamp,
    visible_pages,
)
from commands.context import CommandContext, Reader
from commands.dispatch import COMMANDS, dispatch
from commands.limits import paginate, rows_into_pages
from commands.reply import Candidate, Chart, Field, Page, Reply, ReplyKind
from storage.db import SessionFactory
from storage.demo_catalog import demo_files
from storage.importing import import_files
from storage.name_loading import load_name_index

MARKDOWN_HEAVY = "Share *11.6%* on Canal_13_ <@&123> `x` | ~y~ > @here "


def assert_within_limits(embed: discord.Embed) -> None:
    """Every limit Discord enforces on one embed (and so on a one-embed message)."""
    data = embed.to_dict()
    fields = data.get("fields", [])
    assert len(embed) <= 6000
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(fields) <= 25
    for field in fields:
        assert 0 < len(field["name"]) <= 256
        assert 0 < len(field["value"]) <= 1024


def rendered_embeds(reply: Reply, *, show_confidential: bool = False) -> list[discord.Embed]:
    embeds = []
    for page in range(page_count(reply, show_confidential=show_confidential)):
        rendered = render_reply(reply, page=page, show_confidential=show_confidential)
        assert len(rendered.embeds) == 1
        assert rendered.content is None
        embeds.append(rendered.embeds[0])
    return embeds


def largest_reply() -> Reply:
    """Everything at or past its limit: the renderer has to clip, escape and page without losing a field."""
    rows = [f"{i:02d}. {MARKDOWN_HEAVY * 3} Imagen TV, 3,100,000 viewers, 19.0% share" for i in range(60)]
    long_fields = [Field(f"Airing {i} " + "_n_" * 100, (MARKDOWN_HEAVY * 30)[:1024]) for i in range(60)]
    return Reply(
        headline="Ratings for " + "Miracle in Cell No. 7 **" * 13,  # 312 characters, more once escaped
        body=("Body *text* with_markdown " * 200)[:5000],
        fields=(Field("Summary", (MARKDOWN_HEAVY * 20)[:1024], inline=True),),
        pages=(*rows_into_pages("Airings", rows), *paginate(long_fields)),
        notes=tuple(f"Note {i}: " + "figures are live, not consolidated. " * 5 for i in range(8)),
        sources=tuple(f"Nielsen IBOPE México, weekly report {i}, " + "x" * 60 for i in range(40)),
        candidates=(Candidate("Miracle in Cell No. 7 (2019, TR)", "!title Miracle in Cell No. 7 (2019, TR)"),),
    )


def test_the_largest_reply_keeps_every_limit_on_every_page_and_loses_no_field() -> None:
    reply = largest_reply()
    embeds = rendered_embeds(reply)
    assert len(embeds) == len(reply.pages) > 1
    for embed, page in zip(embeds, reply.pages, strict=True):
        assert_within_limits(embed)
        assert len(embed.fields) == 1 + len(page.fields)  # the reply's own field, then the page's
        assert embed.description
        assert embed.description.startswith("Ratings for Miracle")
        assert embed.description.endswith("…")  # the body gave way, with a visible cut
        assert embed.footer.text
        assert embed.footer.text.startswith(f"Page {embeds.index(embed) + 1} of {len(embeds)}")
    assert embeds[0].title
    assert embeds[0].title.endswith("…")


def test_a_5000_character_body_is_cut_but_notes_and_candidates_stay() -> None:
    reply = Reply(headline="Title", kind=ReplyKind.CHOICE, body="word " * 1000, notes=("Figures are live.",),
                  candidates=(Candidate("A (2019, TR)", "!title A (2019, TR)"),
                              Candidate("A (2013, KR)", "!title A (2013, KR)")))
    embed = render_reply(reply).embeds[0]
    assert_within_limits(embed)
    assert embed.description is not None
    assert len(embed.description) == pytest.approx(4096, abs=10)
    assert "…\n\n1. A (2019, TR) — `!title A (2019, TR)`\n2. A (2013, KR) — `!title A (2013, KR)`" in embed.description
    assert embed.description.endswith("Note: Figures are live.")


def test_long_sources_share_the_message_with_a_long_body() -> None:
    reply = Reply(headline="T", body="b " * 3000, sources=tuple("s" * 100 for _ in range(40)),
                  pages=tuple(Page((Field("f", "v" * 1000),)) for _ in range(3)))
    for embed in rendered_embeds(reply):
        assert_within_limits(embed)
        assert embed.footer.text
        assert embed.footer.text.startswith("Page ")
        assert len(embed) > 5900  # the room is used, not wasted


def test_headline_with_mentions_and_markdown_renders_literally() -> None:
    embed = render_reply(Reply(headline="@everyone **boom** <@&123>")).embeds[0]
    assert embed.title == "@\u200beveryone \\*\\*boom\\*\\* \\<@&123>"


@pytest.mark.parametrize(("text", "escaped"), [
    ("@here", "@\u200bhere"),
    ("<@123456789012345678>", "\\<@\u200b123456789012345678>"),
    ("<#123456789012345678>", "\\<#123456789012345678>"),
    ("</title:123>", "\\</title:123>"),
    ("<t:0:R>", "\\<t:0:R>"),
    ("__under__ ~~strike~~ ||spoiler||", "\\_\\_under\\_\\_ \\~\\~strike\\~\\~ \\|\\|spoiler\\|\\|"),
    ("# Heading\n> quote\n- item", "\\# Heading\n\\> quote\n\\- item"),
    ("[click](https://example.com)", "\\[click](https://example.com)"),
    ("https://cdn.example.com/key_art_v2_final.png", "https://cdn.example.com/key_art_v2_final.png"),
    ("Koğuştaki Mucize 3 < 5", "Koğuştaki Mucize 3 < 5"),
])
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_catalog_text_is_escaped_in_fields_description_and_candidates() -> None:
    reply = Reply(headline="h", kind=ReplyKind.NOT_FOUND, body="**b**",
                  fields=(Field("*n*", "@everyone <@&1>"),), notes=("_n_",),
                  candidates=(Candidate("**c**", "!title `c`"),))
    embed = render_reply(reply).embeds[0]
    assert embed.fields[0].name == "\\*n\\*"
    assert embed.fields[0].value == "@\u200beveryone \\<@&1>"
    assert embed.description == "\\*\\*b\\*\\*\n\n1. \\*\\*c\\*\\* — `!title ˋcˋ`\n\nNote: \\_n\\_"


def test_escaping_never_pushes_a_full_field_past_its_limit() -> None:
    reply = Reply(headline="h", fields=(Field("*" * 256, "_" * 1024),))
    field = render_reply(reply).embeds[0].fields[0]
    assert field.name
    assert len(field.name) <= 256
    assert field.value
    assert len(field.value) <= 1024
    assert field.value.endswith("…")
    assert "\\_" in field.value


def test_empty_field_values_are_not_refused() -> None:
    field = render_reply(Reply(headline="h", fields=(Field("", ""),))).embeds[0].fields[0]
    assert field.name == field.value == "\u200b"


def confidential_reply() -> Reply:
    return Reply(
        headline="Deals for Miracle in Cell No. 7",
        fields=(Field("Imagen TV", "Active · free TV"), Field("Fee and terms", "USD 45,000", confidential=True)),
        pages=(Page((Field("Canal 13", "Active"), Field("Fee", "USD 9,000", confidential=True))),
               Page((Field("Fees and terms", "USD 1", confidential=True),))),
    )


def test_confidential_fields_are_dropped_with_a_note_unless_allowed() -> None:
    reply = confidential_reply()
    public = rendered_embeds(reply)
    assert len(public) == 1  # the page that held only fees is gone
    texts = [f"{f.name} {f.value}" for f in public[0].fields]
    assert texts == ["Imagen TV Active · free TV", "Canal 13 Active"]
    assert public[0].description == f"Note: {HIDDEN_NOTE}"

    private = rendered_embeds(reply, show_confidential=True)
    assert len(private) == 2
    assert [f.name for f in private[0].fields] == ["Imagen TV", "Fee and terms", "Canal 13", "Fee"]
    assert [f.name for f in private[1].fields] == ["Imagen TV", "Fee and terms", "Fees and terms"]
    assert not private[0].description
    assert page_count(reply) == 1
    assert len(visible_pages(reply, show_confidential=True)) == 2


def test_confidential_is_hidden_by_default() -> None:
    embed = render_reply(confidential_reply()).embeds[0]
    assert all("USD" not in (f.value or "") for f in embed.fields)


def test_chart_is_attached_and_shown_in_the_embed() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    chart = Chart(png=png, filename="chart miracle/7.png", alt_text="Bars: " + "a" * 2000)
    reply = Reply(headline="Chart", chart=chart)
    rendered = render_reply(reply)
    (file,) = rendered.files
    assert file.filename == "chart_miracle_7.png"
    assert file.fp.read() == png
    assert file.description is not None
    assert len(file.description) <= 1024
    assert rendered.embeds[0].image.url == "attachment://chart_miracle_7.png"


def test_page_footer_and_sources() -> None:
    reply = Reply(headline="Ratings", pages=tuple(Page((Field(f"p{i}", "v"),)) for i in range(5)),
                  sources=("Nielsen IBOPE México", "Canal 13"))
    embed = render_reply(reply, page=1).embeds[0]
    assert embed.footer.text == "Page 2 of 5 · Sources: Nielsen IBOPE México; Canal 13"
    assert [f.name for f in embed.fields] == ["p1"]
    single = render_reply(Reply(headline="x", sources=("S",))).embeds[0]
    assert single.footer.text == "Sources: S"
    with pytest.raises(IndexError):
        render_reply(reply, page=5)


def test_colour_follows_the_kind() -> None:
    colours = {kind: render_reply(Reply(headline="x", kind=kind)).embeds[0].colour for kind in ReplyKind}
    assert colours == COLOURS
    assert len(set(colours.values())) == len(ReplyKind)


def test_a_page_with_more_than_25_fields_is_an_error_not_a_silent_cut() -> None:
    reply = Reply(headline="x", pages=(Page(tuple(Field(str(i), "v") for i in range(26))),))
    with pytest.raises(ReplyOverflow, match="26 fields"):
        render_reply(reply)


def test_fields_past_6000_characters_are_an_error_not_a_silent_cut() -> None:
    reply = Reply(headline="x", fields=tuple(Field(f"f{i}", "v" * 1024) for i in range(6)))
    with pytest.raises(ReplyOverflow, match="should page them"):
        render_reply(reply)


def test_timestamp() -> None:
    aware = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert timestamp(aware) == f"<t:{int(aware.timestamp())}:D>"
    assert timestamp(dt.datetime(1970, 1, 1, 0, 1), "R") == "<t:60:R>"  # noqa: DTZ001 - naive is UTC
    assert timestamp(dt.date(1970, 1, 2), "d") == f"<t:{86400 + 12 * 3600}:d>"
    with pytest.raises(ValueError, match="style"):
        timestamp(aware, "x")


DEMO_LINES = [
    "!title Miracle in Cell No. 7 (2019, TR)", "!title miracle", "!ratings miracle", "!ratings latam",
    "!ratings mexico", "!deals miracle", "!deals latam", "!avails miracle latam", "!buyer imagen",
    "!top", "!press miracle es", "!press miracle tr", "!chart small miracles", "!help", "!title zzzzqqq",
]


@pytest.mark.parametrize("may_see_fees", [False, True])
async def test_every_demo_reply_renders_within_limits(session_factory: SessionFactory, may_see_fees: bool) -> None:
    await import_files(session_factory, demo_files())
    async with session_factory() as session:
        names = await load_name_index(session)
        context = CommandContext(session, Reader(may_see_fees=may_see_fees), names)
        replies = {line: await dispatch(line, context) for line in DEMO_LINES}
    kinds: dict[str, ReplyKind] = {}
    for line, reply in replies.items():
        kinds[line] = reply.kind
        for show in (False, True):
            for embed in rendered_embeds(reply, show_confidential=show):
                assert_within_limits(embed)
    assert kinds["!title miracle"] is ReplyKind.CHOICE
    if "chart" in COMMANDS:  # the commands issue adds it to the dispatcher
        assert replies["!chart small miracles"].chart is not None
        assert render_reply(replies["!chart small miracles"]).files
