"""Pages and choices on real messages: the real discord.py client against the local Discord stand-in.

A small bot sends replies with ``bot.views.send_reply`` from prefix and slash commands; the tests act as
the author and as someone else, and look at what Discord (the stand-in) holds afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.ext import commands
from standin import CLIENT_OPTIONS, DiscordStandin, Guild, Message, create_guild, discord_standin, running

from bot.render import render_reply
from bot.views import NOT_YOURS_CHOICE, NOT_YOURS_PAGES, ChoiceView, PaginatorView, send_reply
from commands.reply import Candidate, Chart, Field, Page, Reply, ReplyKind

PAGES = 5
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
CANDIDATES = (
    Candidate("Miracle in Cell No. 7 (2019, Turkey · film)", "!title Miracle in Cell No. 7 (2019, TR)"),
    Candidate("Miracle in Cell No. 7 (2013, South Korea · film)", "!title Miracle in Cell No. 7 (2013, KR)"),
    Candidate("Miracle in Cell No. 7 (2019, Philippines · film) " + "x" * 100, "!title Miracle (2019, PH)"),
)


def long_reply() -> Reply:
    return Reply(
        headline="Ratings for Miracle in Cell No. 7",
        fields=(Field("Best", "3,100,000 viewers"),),
        pages=tuple(Page((Field(f"Airing {n}", f"row {n}"), Field(f"Fee {n}", "USD 9,000", confidential=True)))
                    for n in range(1, PAGES + 1)),
        sources=("Nielsen IBOPE México",),
    )


def choice_reply() -> Reply:
    return Reply(headline="3 titles could be “miracle”; which one?", kind=ReplyKind.CHOICE, candidates=CANDIDATES)


class ViewsBot(commands.Bot):
    """Commands that answer through ``send_reply``, as the cogs do; remembers what ``on_choice`` got."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, **CLIENT_OPTIONS)
        self.chosen: list[Candidate] = []
        add_commands(self)

    async def on_choice(self, interaction: discord.Interaction[Any], candidate: Candidate) -> None:
        self.chosen.append(candidate)
        await send_reply(interaction, Reply(headline=f"Answer for {candidate.query}"),
                         author_id=interaction.user.id, show_confidential=False)


def add_commands(bot: ViewsBot) -> None:
    @bot.command()
    async def long(ctx: commands.Context[ViewsBot]) -> None:
        await send_reply(ctx, long_reply(), author_id=ctx.author.id, show_confidential=False)

    @bot.command()
    async def pick(ctx: commands.Context[ViewsBot]) -> None:
        await send_reply(ctx, choice_reply(), author_id=ctx.author.id, show_confidential=False,
                         on_choice=bot.on_choice)

    @bot.command()
    async def boom(ctx: commands.Context[ViewsBot], role: discord.Role) -> None:
        reply = Reply(headline=f"@everyone **boom** {role.mention}", body=f"@here {ctx.author.mention} <#1> `x`",
                      fields=(Field(f"<@&{role.id}>", "@everyone"),))
        await send_reply(ctx, reply, author_id=ctx.author.id, show_confidential=False)

    @bot.command()
    async def brief(ctx: commands.Context[ViewsBot], seconds: float) -> None:
        """A pager with a short timeout, sent by hand as a cog could."""
        view = PaginatorView(long_reply(), author_id=ctx.author.id, show_confidential=False, timeout=seconds)
        view.message = await ctx.send(embeds=view.render().embeds, view=view,
                                      allowed_mentions=discord.AllowedMentions.none())

    @bot.command()
    async def brief_pick(ctx: commands.Context[ViewsBot], seconds: float) -> None:
        view = ChoiceView(choice_reply(), author_id=ctx.author.id, on_choice=bot.on_choice, timeout=seconds)
        view.message = await ctx.send(embeds=render_reply(choice_reply()).embeds, view=view)

    @bot.command()
    async def chart(ctx: commands.Context[ViewsBot]) -> None:
        await send_reply(ctx, dataclasses.replace(long_reply(), chart=Chart(PNG, "chart-miracle.png", "Bars")),
                         author_id=ctx.author.id, show_confidential=False)

    @bot.command()
    async def fees(ctx: commands.Context[ViewsBot], where: str) -> None:
        """Fees asked for: shown in the author's DMs, held back in the channel whatever the caller says."""
        await send_reply(ctx.author if where == "dm" else ctx, long_reply(), author_id=ctx.author.id,
                         show_confidential=True)

    @bot.tree.command(name="long", description="A long answer")
    async def slash_long(interaction: discord.Interaction[Any], private: bool = False) -> None:
        await send_reply(interaction, long_reply(), author_id=interaction.user.id, show_confidential=private,
                         ephemeral=private)

    @bot.tree.command(description="A long answer after a defer; fees asked for, ephemeral asked for")
    async def deferred(interaction: discord.Interaction[Any], private: bool = False) -> None:
        await interaction.response.defer(ephemeral=private, thinking=True)
        await send_reply(interaction, long_reply(), author_id=interaction.user.id, show_confidential=True,
                         ephemeral=True)


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandin]:
    async with discord_standin() as standin:
        yield standin


@pytest.fixture
def team(standin: DiscordStandin) -> Guild:
    return create_guild(standin.state, "Sales", channels=["general"], roles={"Sales": 0},
                        members={"alice": ["Sales"], "bob": []})


@pytest.fixture
async def bot(standin: DiscordStandin, team: Guild) -> AsyncIterator[ViewsBot]:
    async with running(ViewsBot(), standin) as client:
        await client.tree.sync()
        yield client


async def ask(standin: DiscordStandin, team: Guild, text: str, who: str = "alice") -> Message:
    channel = team.channel("general")
    asked = await standin.send_message(channel, team.member(who), text)
    return await standin.state.wait_for_message(channel, after=asked, timeout=3)


def page_of(message: Message) -> str:
    return message.embeds[0]["footer"]["text"].split(" · ")[0]


def buttons(message: Message) -> dict[str, bool]:
    """custom_id -> disabled, for every component of the message."""
    return {custom_id: bool(c.get("disabled")) for custom_id, c in message.custom_ids().items()}


async def test_a_long_reply_shows_page_one_with_buttons(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!long")
    assert page_of(message) == f"Page 1 of {PAGES}"
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 1"]  # no fees in public
    assert buttons(message) == {"pager:first": True, "pager:previous": True, "pager:page": True,
                                "pager:next": False, "pager:last": False}
    assert message.custom_ids()["pager:page"]["label"] == f"1/{PAGES}"
    assert message.allowed_mentions == {"parse": []}


async def test_the_author_turns_pages(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!long")
    alice = team.member("alice")

    callback = await (await standin.click(message, "pager:next", user=alice)).response(timeout=3)
    assert callback.type == 7  # the message itself was updated
    assert page_of(message) == f"Page 2 of {PAGES}"
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 2"]
    assert not buttons(message)["pager:previous"]

    await (await standin.click(message, "pager:last", user=alice)).response(timeout=3)
    assert page_of(message) == f"Page {PAGES} of {PAGES}"
    assert buttons(message)["pager:next"]
    assert buttons(message)["pager:last"]
    assert message.custom_ids()["pager:page"]["label"] == f"{PAGES}/{PAGES}"

    await (await standin.click(message, "pager:previous", user=alice)).response(timeout=3)
    assert page_of(message) == f"Page {PAGES - 1} of {PAGES}"
    await (await standin.click(message, "pager:first", user=alice)).response(timeout=3)
    assert page_of(message) == f"Page 1 of {PAGES}"
    assert len(message.edits) == 4


async def test_someone_else_cannot_turn_the_pages(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!long")
    click = await standin.click(message, "pager:next", user=team.member("bob"))
    callback = await click.response(timeout=3)
    assert callback.type == 4
    assert callback.ephemeral
    assert callback.data is not None
    assert callback.data["content"] == NOT_YOURS_PAGES
    assert page_of(message) == f"Page 1 of {PAGES}"
    assert message.edits == []

    await (await standin.click(message, "pager:next", user=team.member("alice"))).response(timeout=3)
    assert page_of(message) == f"Page 2 of {PAGES}"  # the refusal did not break the view for its author


async def test_buttons_disable_themselves_on_timeout(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!brief 0.2")
    assert not buttons(message)["pager:next"]
    await standin.state.wait_until(lambda: all(buttons(message).values()), timeout=3,
                                   what="the pager's buttons disabled")
    assert page_of(message) == f"Page 1 of {PAGES}"  # the page stays; only the buttons are off
    assert len(message.edits) == 1
    with pytest.raises(RuntimeError, match="disabled"):
        await standin.click(message, "pager:next", user=team.member("alice"))


async def test_the_author_picks_a_candidate(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!pick")
    select = message.custom_ids()["choice:candidate"]
    labels = [option["label"] for option in select["options"]]
    assert labels[:2] == [c.label for c in CANDIDATES[:2]]
    assert len(labels[2]) <= 100
    assert labels[2].endswith("…")
    assert "1. Miracle in Cell No. 7 (2019, Turkey · film)" in message.embeds[0]["description"]

    pick = await standin.select(message, "choice:candidate", ["1"], user=team.member("alice"))
    callback = await pick.response(timeout=3)
    assert callback.type == 7
    assert bot.chosen == [CANDIDATES[1]]
    assert buttons(message) == {"choice:candidate": True}  # no second pick
    picked = [o for o in message.custom_ids()["choice:candidate"]["options"] if o.get("default")]
    assert [o["label"] for o in picked] == [CANDIDATES[1].label]
    answer = await standin.state.wait_until(lambda: pick.followups, timeout=3, what="the chosen answer")
    assert answer[0].embeds[0]["title"] == f"Answer for {CANDIDATES[1].query}"


async def test_someone_else_cannot_pick(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!pick")
    pick = await standin.select(message, "choice:candidate", ["0"], user=team.member("bob"))
    callback = await pick.response(timeout=3)
    assert callback.type == 4
    assert callback.ephemeral
    assert callback.data is not None
    assert callback.data["content"] == NOT_YOURS_CHOICE
    await asyncio.sleep(0.05)  # give a wrongly dispatched on_choice the chance to show itself
    assert bot.chosen == []
    assert buttons(message) == {"choice:candidate": False}
    assert message.edits == []


async def test_mentions_in_catalog_text_ping_nobody(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    role = team.role("Sales")
    message = await ask(standin, team, f"!boom {role.id}")
    embed = message.embeds[0]
    assert embed["title"] == f"@\u200beveryone \\*\\*boom\\*\\* \\<@\u200b&{role.id}>"
    assert embed["description"].startswith("@\u200bhere \\<@\u200b")
    assert "\\<#1>" in embed["description"]
    assert embed["fields"][0] == {"name": f"\\<@\u200b&{role.id}>", "value": "@\u200beveryone", "inline": False}
    assert message.allowed_mentions == {"parse": []}
    assert message.mentions == []
    assert message.mention_role_ids == []
    assert not message.mention_everyone


async def test_slash_reply_pages_privately_with_fees(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    alice = team.member("alice")
    run = await standin.send_interaction("long", user=alice, channel=team.channel("general"),
                                         options={"private": True})
    message = await run.answer(timeout=3)
    assert message.ephemeral
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 1", "Fee 1"]
    await (await standin.click(message, "pager:next", user=alice)).response(timeout=3)
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 2", "Fee 2"]


async def test_fees_are_held_back_where_the_answer_is_public(standin: DiscordStandin, team: Guild,
                                                             bot: ViewsBot) -> None:
    alice = team.member("alice")
    public = await standin.send_interaction("long", user=alice, channel=team.channel("general"))
    message = await public.answer(timeout=3)
    assert not message.ephemeral
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 1"]

    # A followup asked to be ephemeral, but it fills a public "thinking..." message: still no fees.
    deferred = await standin.send_interaction("deferred", user=alice, channel=team.channel("general"))
    message = await deferred.answer(timeout=3)
    assert not message.ephemeral
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 1"]
    assert "Fees and terms hidden here" in message.embeds[0]["description"]

    private = await standin.send_interaction("deferred", user=alice, channel=team.channel("general"),
                                             options={"private": True})
    message = await private.answer(timeout=3)
    assert message.ephemeral
    assert [f["name"] for f in message.embeds[0]["fields"]] == ["Best", "Airing 1", "Fee 1"]
    await (await standin.click(message, "pager:next", user=alice)).response(timeout=3)
    assert page_of(message) == f"Page 2 of {PAGES}"


async def test_a_choice_disables_itself_on_timeout(standin: DiscordStandin, team: Guild, bot: ViewsBot) -> None:
    message = await ask(standin, team, "!brief_pick 0.2")
    assert buttons(message) == {"choice:candidate": False}
    await standin.state.wait_until(lambda: all(buttons(message).values()), timeout=3,
                                   what="the choice select disabled")
    assert bot.chosen == []


async def test_a_chart_stays_in_the_embed_on_every_page(standin: DiscordStandin, team: Guild,
                                                        bot: ViewsBot) -> None:
    message = await ask(standin, team, "!chart")
    (attachment,) = message.attachments
    assert attachment.filename == "chart-miracle.png"
    assert attachment.data == PNG
    assert message.embeds[0]["image"]["url"] == attachment.url
    await (await standin.click(message, "pager:next", user=team.member("alice"))).response(timeout=3)
    assert page_of(message) == f"Page 2 of {PAGES}"
    assert message.attachments == [attachment]
    assert message.embeds[0]["image"]["url"] == attachment.url


async def test_fees_go_to_a_dm_and_never_to_the_channel(standin: DiscordStandin, team: Guild,
                                                        bot: ViewsBot) -> None:
    public = await ask(standin, team, "!fees here")
    assert [f["name"] for f in public.embeds[0]["fields"]] == ["Best", "Airing 1"]
    assert "Fees and terms hidden here" in public.embeds[0]["description"]

    channel = team.channel("general")
    asked = await standin.send_message(channel, team.member("alice"), "!fees dm")
    private = await standin.state.wait_for_message(team.member("alice"), after=asked, timeout=3)
    assert [f["name"] for f in private.embeds[0]["fields"]] == ["Best", "Airing 1", "Fee 1"]
    await (await standin.click(private, "pager:next", user=team.member("alice"))).response(timeout=3)
    assert [f["name"] for f in private.embeds[0]["fields"]] == ["Best", "Airing 2", "Fee 2"]
