"""The stand-in works with the real discord.py client: prefix and slash commands, autocomplete, views,
faults, allowed mentions, DMs, files, and a gateway that drops and resumes."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from standin import CLIENT_OPTIONS, DiscordStandin, Guild, Intent, create_guild, discord_standin, running

MESSAGES = "/channels/{channel_id}/messages"
TITLES = ["Miracle in Cell No. 7", "Miracle in Cell No. 7 (2013)", "Midnight at the Pera Palace"]


class Pager(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.clicked = asyncio.Event()
        self.picked: list[str] = []

    @discord.ui.button(label="Next", custom_id="pager:next")
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        self.clicked.set()
        await interaction.response.edit_message(content="page 2", view=self)

    @discord.ui.select(custom_id="pager:lang", options=[discord.SelectOption(label=x) for x in ("en", "es", "tr")])
    async def language(self, interaction: discord.Interaction, select: discord.ui.Select[Pager]) -> None:
        self.picked = select.values
        await interaction.response.send_message(f"language: {select.values[0]}", ephemeral=True)


class Question(discord.ui.Modal, title="Ask the desk"):
    text: discord.ui.TextInput[Question] = discord.ui.TextInput(label="Question", custom_id="ask:text")
    language: discord.ui.Label[Question] = discord.ui.Label(text="Language", component=discord.ui.Select(
        custom_id="ask:lang", options=[discord.SelectOption(label=x) for x in ("en", "es", "tr")]))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.language.component, discord.ui.Select)
        await interaction.response.send_message(f"{self.text.value} ({self.language.component.values[0]})")


class Subscribe(discord.ui.View):
    """A persistent view, as on a scheduled post: it must still answer after the bot restarts."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Subscribe", custom_id="announcements:subscribe")
    async def subscribe(self, interaction: discord.Interaction, button: discord.ui.Button[Subscribe]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("subscribed", ephemeral=True)


class QuickReidentifyBot(commands.Bot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before every IDENTIFY but the first; this test bot does not."""


def make_bot(cls: type[commands.Bot] = commands.Bot, **options: object) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    bot = cls(command_prefix="!", intents=intents, **{**CLIENT_OPTIONS, **options})
    bot.resumed = asyncio.Event()  # type: ignore[attr-defined]

    @bot.listen()
    async def on_resumed() -> None:
        bot.resumed.set()  # type: ignore[attr-defined]

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("pong")

    @bot.hybrid_command(description="Is the bot there?")
    async def hello(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("hello, privately", ephemeral=True)

    @bot.hybrid_command(description="A slow answer")
    async def slow(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.defer()
        await ctx.send("done thinking")

    @bot.tree.command(description="A title card")
    @app_commands.describe(name="Title to look up")
    async def title(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"card: {name}")

    @title.autocomplete("name")
    async def title_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TITLES if current.lower() in t.lower()]

    @bot.tree.command(description="Ask the press desk")
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Question())

    @bot.tree.command(description="Takes its time")
    async def dawdle(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.2)
        with contextlib.suppress(discord.NotFound):  # Discord forgets an interaction not answered in time
            await interaction.response.send_message("too late")

    @bot.command()
    async def menu(ctx: commands.Context[commands.Bot]) -> None:
        bot.pager = Pager()  # type: ignore[attr-defined]
        await ctx.send("page 1", view=bot.pager)  # type: ignore[attr-defined]

    return bot


@pytest.fixture
async def standin() -> AsyncIterator[DiscordStandin]:
    async with discord_standin() as standin:
        yield standin


@pytest.fixture
def guild(standin: DiscordStandin) -> Guild:
    return create_guild(standin.state, "Sales", channels=["general", "ratings"], members={"alice": [], "bob": []})


async def test_prefix_command_answers_in_the_channel(standin: DiscordStandin, guild: Guild) -> None:
    general = guild.channel("general")
    async with running(make_bot(), standin):
        asked = await standin.send_message(general, guild.member("alice"), "!ping")
        reply = await standin.state.wait_for_message(general, after=asked)
    assert reply.content == "pong"
    assert reply.author is standin.state.bot
    assert [c.status for c in standin.state.calls_to("POST", MESSAGES)] == [200]


async def test_hybrid_command_synced_to_a_guild_answers_privately(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        bot.tree.copy_global_to(guild=discord.Object(guild.id))
        synced = await bot.tree.sync(guild=discord.Object(guild.id))
        interaction = await standin.send_interaction("hello", user=guild.member("alice"),
                                                     channel=guild.channel("general"))
        callback = await interaction
        answer = await interaction.answer()
    assert {c.name for c in synced} >= {"hello", "slow", "title"}
    put = standin.state.calls_to("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
    assert [c.status for c in put] == [200]
    assert {c["name"] for c in standin.state.guild_commands[guild.id]} == {c.name for c in synced}
    assert callback.type == 4
    assert callback.ephemeral
    assert answer.content == "hello, privately"
    assert answer.ephemeral
    assert standin.state.messages_in(guild.channel("general")) == []  # ephemeral: nobody else sees it


async def test_deferred_hybrid_command_fills_in_the_thinking_message(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        await bot.tree.sync()
        interaction = await standin.send_interaction("slow", user=guild.member("bob"), channel=guild.channel("general"))
        answer = await interaction.answer()
    assert [c.type for c in interaction.callbacks] == [5]
    assert answer.content == "done thinking"
    assert not answer.loading


async def test_autocomplete_returns_choices(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        await bot.tree.sync()
        interaction = await standin.autocomplete("title", user=guild.member("alice"),
                                                 channel=guild.channel("general"), focused="name", value="miracle")
        callback = await interaction
    assert callback.type == 8
    assert [c["name"] for c in callback.choices] == TITLES[:2]


async def test_button_click_reaches_the_view(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    general, alice = guild.channel("general"), guild.member("alice")
    async with running(bot, standin):
        asked = await standin.send_message(general, alice, "!menu")
        menu = await standin.state.wait_for_message(general, after=asked)
        click = await standin.click(menu, "pager:next", user=alice)
        callback = await click
        await asyncio.wait_for(bot.pager.clicked.wait(), 1)  # type: ignore[attr-defined]
        picked = await standin.select(menu, "pager:lang", ["es"], user=alice)
        answer = await picked.answer()
    assert callback.type == 7
    assert menu.content == "page 2"
    assert menu.edited_at is not None
    assert bot.pager.picked == ["es"]  # type: ignore[attr-defined]
    assert answer.content == "language: es"
    assert answer.ephemeral


async def test_modal_is_shown_and_submitted(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        await bot.tree.sync()
        alice, general = guild.member("alice"), guild.channel("general")
        shown = await standin.send_interaction("ask", user=alice, channel=general)
        modal = await shown
        submitted = await standin.submit_modal(shown, {"ask:text": "Share in Chile?", "ask:lang": "es"})
        answer = await submitted.answer()
    assert modal.type == 9
    assert answer.content == "Share in Chile? (es)"


async def test_persistent_view_answers_after_a_restart(standin: DiscordStandin, guild: Guild) -> None:
    announcements, alice = guild.channel("ratings"), guild.member("alice")
    async with running(make_bot(), standin) as bot:
        channel = bot.get_channel(announcements.id)
        assert isinstance(channel, discord.TextChannel)
        post = await channel.send("New ratings: Mexico", view=Subscribe())
    restarted = make_bot()
    restarted.add_view(Subscribe())
    async with running(restarted, standin):
        click = await standin.click(standin.state.messages[post.id], "announcements:subscribe", user=alice)
        answer = await click.answer()
    assert [c.type for c in click.callbacks] == [5]
    assert answer.content == "subscribed"
    assert answer.ephemeral


async def test_interaction_not_answered_in_time_is_unknown(standin: DiscordStandin, guild: Guild) -> None:
    standin.state.interaction_deadline = 0.1  # Discord's is 3 s
    bot = make_bot()
    async with running(bot, standin):
        await bot.tree.sync()
        await standin.send_interaction("dawdle", user=guild.member("bob"), channel=guild.channel("general"))
        await standin.state.wait_until(lambda: standin.state.calls_to("POST", "/interactions/{id}/{token}/callback"),
                                       timeout=2, what="the late callback")
    [late] = standin.state.calls_to("POST", "/interactions/{id}/{token}/callback")
    assert late.status == 404


async def test_server_error_then_success_is_retried_and_stored_once(standin: DiscordStandin, guild: Guild) -> None:
    ratings = guild.channel("ratings")
    standin.state.inject_fault("POST", MESSAGES, status=500)
    bot = make_bot()
    async with running(bot, standin):
        channel = bot.get_channel(ratings.id)
        assert isinstance(channel, discord.TextChannel)
        await asyncio.wait_for(channel.send("New ratings: Mexico"), 2.5)  # discord.py waits 1 s, then retries
    assert [c.status for c in standin.state.calls_to("POST", MESSAGES)] == [500, 200]
    assert [m.content for m in standin.state.messages_in(ratings)] == ["New ratings: Mexico"]


async def test_lost_answer_after_storing_is_retried_with_the_same_nonce(standin: DiscordStandin,
                                                                         guild: Guild) -> None:
    ratings = guild.channel("ratings")
    standin.state.inject_fault("POST", MESSAGES, status=502, after_handling=True)
    bot = make_bot()
    async with running(bot, standin):
        channel = bot.get_partial_messageable(ratings.id)
        sent = await asyncio.wait_for(channel.send("New ratings: Chile"), 2.5)
    assert [c.status for c in standin.state.calls_to("POST", MESSAGES)] == [502, 200]
    assert [m.id for m in standin.state.messages_in(ratings)] == [sent.id]  # enforce_nonce: still one post


async def test_rate_limit_answer_is_waited_out(standin: DiscordStandin, guild: Guild) -> None:
    standin.state.inject_fault("POST", MESSAGES, status=429, retry_after=0.2)
    bot = make_bot()
    async with running(bot, standin):
        await asyncio.wait_for(bot.get_partial_messageable(guild.channel("ratings").id).send("hi"), 2)
    assert [c.status for c in standin.state.calls_to("POST", MESSAGES)] == [429, 200]


async def test_hanging_call_can_be_timed_out_by_the_bot(standin: DiscordStandin, guild: Guild) -> None:
    fault = standin.state.inject_fault("POST", MESSAGES, hang=True)
    bot = make_bot()
    async with running(bot, standin):
        channel = bot.get_partial_messageable(guild.channel("ratings").id)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(channel.send("stuck"), 0.3)
        fault.release()
    assert [c.fault for c in standin.state.calls_to("POST", MESSAGES)] == ["hang"]


async def test_allowed_mentions_are_recorded(standin: DiscordStandin, guild: Guild) -> None:
    alice = guild.member("alice")
    bot = make_bot(allowed_mentions=discord.AllowedMentions.none())
    async with running(bot, standin):
        channel = bot.get_partial_messageable(guild.channel("general").id)
        quiet = await channel.send(f"<@{alice.id}> new figures are in")
        loud = await channel.send(f"<@{alice.id}> look", allowed_mentions=discord.AllowedMentions(users=True))
    stored_quiet, stored_loud = standin.state.messages[quiet.id], standin.state.messages[loud.id]
    assert stored_quiet.allowed_mentions == discord.AllowedMentions.none().to_dict()
    assert stored_quiet.mentions == []  # nobody was pinged
    assert stored_loud.mentions == [alice.user]


async def test_gateway_disconnect_then_resume(standin: DiscordStandin, guild: Guild) -> None:
    general, alice = guild.channel("general"), guild.member("alice")
    bot = make_bot()
    async with running(bot, standin):
        await standin.disconnect()
        asked = await standin.send_message(general, alice, "!ping")  # while the bot is away: kept for it
        [resume] = await standin.wait_for_gateway("RESUME")
        await asyncio.wait_for(bot.resumed.wait(), 2)  # type: ignore[attr-defined]
        reply = await standin.state.wait_for_message(general, after=asked)
    assert reply.content == "pong"
    assert resume["replayed"] == ["MESSAGE_CREATE"]
    assert len([e for e in standin.state.gateway_log if e["op"] == "IDENTIFY"]) == 1
    connects = [e["path"] for e in standin.state.gateway_log if e["op"] == "CONNECT"]
    assert connects == ["/gateway", "/gateway/resume"]  # the resume used READY's resume_gateway_url


async def test_reconnect_request_is_resumed_and_invalid_session_identifies_again(standin: DiscordStandin,
                                                                                   guild: Guild) -> None:
    general, alice = guild.channel("general"), guild.member("alice")
    bot = make_bot(QuickReidentifyBot)
    readies: asyncio.Queue[None] = asyncio.Queue()

    @bot.listen()
    async def on_ready() -> None:
        readies.put_nowait(None)

    async with running(bot, standin):
        await asyncio.wait_for(readies.get(), 1)
        await standin.request_reconnect()
        await standin.wait_for_gateway("RESUME")
        await standin.invalidate_session()
        await standin.wait_for_gateway("IDENTIFY", count=2)
        await asyncio.wait_for(readies.get(), 2)
        asked = await standin.send_message(general, alice, "!ping")
        reply = await standin.state.wait_for_message(general, after=asked)
    assert reply.content == "pong"
    # discord.py 2.7 identifies again at the URL of its last RESUME (the default gateway if it never resumed)
    assert [e["path"] for e in standin.state.gateway_log if e["op"] == "CONNECT"] == [
        "/gateway", "/gateway/resume", "/gateway/resume"]


async def test_direct_messages_both_ways(standin: DiscordStandin, guild: Guild) -> None:
    bob = guild.member("bob")
    bot = make_bot()
    async with running(bot, standin):
        asked = await standin.send_dm(bob, "!ping")
        reply = await standin.state.wait_for_message(bob, after=asked)
        user = await bot.fetch_user(bob.id)
        await user.send("your report is ready")
    assert reply.content == "pong"
    assert [m.content for m in standin.state.messages_in(standin.state.dm_channel(bob.user))] == [
        "!ping", "pong", "your report is ready"]


async def test_files_and_embeds_are_stored(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        channel = bot.get_partial_messageable(guild.channel("ratings").id)
        embed = discord.Embed(title="Ratings").set_image(url="attachment://chart.png")
        sent = await channel.send(embed=embed, file=discord.File(io.BytesIO(b"\x89PNG..."), filename="chart.png"))
        data = await sent.attachments[0].read()
    stored = standin.state.messages[sent.id]
    assert [a.filename for a in stored.attachments] == ["chart.png"]
    assert data == b"\x89PNG..."
    assert stored.embeds[0]["image"]["url"] == stored.attachments[0].url
    assert standin.state.calls_to("POST", MESSAGES)[0].files == ["chart.png"]


async def test_discord_limits_are_enforced(standin: DiscordStandin, guild: Guild) -> None:
    bot = make_bot()
    async with running(bot, standin):
        channel = bot.get_partial_messageable(guild.channel("general").id)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        embed = discord.Embed(title="t")
        for i in range(26):
            embed.add_field(name=str(i), value="v")
        with pytest.raises(discord.HTTPException) as too_many_fields:
            await channel.send(embed=embed)
    assert too_long.value.status == 400
    assert too_long.value.code == 50035
    assert "content" in str(too_long.value)
    assert "embeds.0.fields" in str(too_many_fields.value)


async def test_without_message_content_intent_the_bot_sees_no_content(standin: DiscordStandin, guild: Guild) -> None:
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), **CLIENT_OPTIONS)
    seen: asyncio.Queue[str] = asyncio.Queue()

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        seen.put_nowait(message.content)

    async with running(bot, standin):
        await standin.send_message(guild.channel("general"), guild.member("alice"), "!ping")
        content = await asyncio.wait_for(seen.get(), 1)
    identify = next(e for e in standin.state.gateway_log if e["op"] == "IDENTIFY")
    assert not identify["intents"] & Intent.MESSAGE_CONTENT
    assert content == ""


async def test_privileged_intent_not_enabled_for_the_application_is_refused(standin: DiscordStandin) -> None:
    standin.state.privileged_intents = 0  # message content not switched on in the developer portal
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running(make_bot(), standin):
            pass


async def test_wrong_token_is_refused() -> None:
    async with discord_standin() as standin:
        bot = make_bot()
        with pytest.raises(discord.LoginFailure):
            async with running(bot, standin, token="not-the-token"):
                pass
        assert [c.status for c in standin.state.calls] == [401]


async def test_unknown_routes_are_answered_404_and_logged() -> None:
    async with discord_standin(strict=False) as standin:
        guild = create_guild(standin.state)
        async with running(make_bot(), standin) as bot:
            with pytest.raises(discord.NotFound):
                await bot.http.get_bans(guild.id, limit=10)
    assert [(c.method, c.route) for c in standin.state.unknown_calls] == [("GET", None)]
    assert standin.state.unknown_calls[0].path.endswith("/bans")


async def test_strict_standin_fails_a_passing_test_that_hit_a_missing_route() -> None:
    with pytest.raises(AssertionError, match="/bans"):  # noqa: PT012 - the failure comes from leaving the block
        async with discord_standin() as standin:
            guild = create_guild(standin.state)
            async with running(make_bot(), standin) as bot:
                with contextlib.suppress(discord.NotFound):  # a bot that swallows the 404...
                    await bot.http.get_bans(guild.id, limit=10)
