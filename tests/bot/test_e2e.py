"""Slate in Discord, end to end: the real discord.py client and ``SlateBot`` against the local stand-in.

Every registered command by prefix and by slash, autocomplete, the synced schema, pages and choices
(including someone else's click), fees on every path, mention injection, embed limits, ``/import`` and a
command that raises. The stand-in refuses anything Discord would refuse (limits, unknown options, late
interaction answers), so a passing test means Discord would have accepted every call.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import event, func, select
from standin import DiscordStandin, Guild, Member, Message

from bot.app import SlateBot
from bot.catalog import OpenCatalog
from bot.cogs.catalog import COMMAND_OPTIONS, DEAL_DATA_COMMANDS
from bot.errors import APOLOGY
from bot.render import COLOURS, EMBED_MAX
from commands.dispatch import COMMANDS, Command
from commands.reply import ReplyKind
from storage.models import Title

REGISTERED = sorted(COMMANDS)  # a command added to the registry is tested here with no change
PROBLEM_COLOUR = COLOURS[ReplyKind.PROBLEM].value
FEE = re.compile(r"Fee: [A-Z]{3} [\d,.]+")
REF = re.compile(r"^(title|territory|group|company):[A-Za-z0-9]+$")
OPTION_KIND = {"title": ("title",), "territory": ("territory", "group"), "channel": ("company",),
               "licensee": ("company",)}


def text_of(message: Message) -> str:
    """Everything a reader can read in a message: content and every part of every embed."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title", ""), embed.get("description", ""), embed.get("footer", {}).get("text", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def embed_chars(message: Message) -> int:
    total = 0
    for embed in message.embeds:
        total += len(embed.get("title", "")) + len(embed.get("description", ""))
        total += len(embed.get("footer", {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


def example_query(name: str) -> str:
    """The first example of the command's help, without the command's name."""
    example = COMMANDS[name].help.examples[0]
    return example.partition(" ")[2] if example.split()[0] == name else example


async def ask(standin: DiscordStandin, channel: Any, member: Member, text: str) -> Message:
    asked = await standin.send_message(channel, member, text)
    return await standin.state.wait_for_message(channel, after=asked, timeout=5)


# --- every command, both ways ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGISTERED)
async def test_every_registered_command_answers_by_prefix_and_by_slash(
        standin: DiscordStandin, team: Guild, bot: SlateBot, name: str) -> None:
    general = team.channel("general")
    query = example_query(name)
    by_prefix = await ask(standin, general, team.member("bob"), f"!{name} {query}")
    run = await standin.send_interaction(name, user=team.member("carol"), channel=general,
                                         options={"query": query} if query else {})
    by_slash = await run.answer(timeout=5)
    for message in (by_prefix, by_slash):
        assert message.embeds, f"!{name} {query}: {message.content}"
        assert message.embeds[0]["color"] != PROBLEM_COLOUR, text_of(message)
        assert message.allowed_mentions == {"parse": []}
    assert by_prefix.embeds[0]["title"] == by_slash.embeds[0]["title"], "the same answer both ways"
    assert not by_slash.ephemeral


async def test_slow_commands_defer_then_answer_with_the_chart_attached(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    run = await standin.send_interaction("chart", user=team.member("bob"), channel=team.channel("general"),
                                         options={"query": "mexico"})
    assert (await run).type == 5, "deferred first"
    answer = await run.answer(timeout=10)
    assert answer.attachments
    assert answer.attachments[0].filename.endswith(".png")
    assert answer.embeds[0]["image"]["url"] == answer.attachments[0].url


async def test_expensive_commands_have_a_per_user_cooldown(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    await ask(standin, general, team.member("bob"), "!chart mexico")
    again = await ask(standin, general, team.member("bob"), "!chart mexico")
    assert re.fullmatch(r"Try again in \d+ s\.", again.content)
    other = await ask(standin, general, team.member("alice"), "!chart mexico")
    assert other.embeds, "another person is not held back"


ADMIN_SLASH = ("import", "announce", "subscribe", "unsubscribe")

# --- autocomplete and the synced schema ------------------------------------------------------------------


async def test_autocomplete_answers_refs_from_memory_within_the_deadline(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog) -> None:
    queries: list[str] = []
    event.listen(catalog.engine.sync_engine, "before_cursor_execute",
                 lambda *args: queries.append(args[2]))
    general = team.channel("general")
    checked = 0
    for name in REGISTERED:
        for option in COMMAND_OPTIONS.get(name, ()):
            for typed in ("", "mi", "mexico", "imagen", "x" * 100):
                started = time.monotonic()
                typing = await standin.autocomplete(name, user=team.member("bob"), channel=general,
                                                    focused=option, value=typed)
                callback = await typing
                assert time.monotonic() - started < 1.0
                assert callback.type == 8
                assert len(callback.choices) <= 25
                for choice in callback.choices:
                    assert 1 <= len(choice["name"]) <= 100
                    assert REF.match(choice["value"]), choice
                    assert choice["value"].partition(":")[0] in OPTION_KIND[option], (option, choice)
                checked += 1
    assert checked >= 5
    scheduler = ("channel_schedules", "announcement_digests")  # the announcement tick reads these on its own
    assert [q for q in queries if not any(table in q for table in scheduler)] == [], \
        "autocomplete must not touch the database"


async def test_a_picked_title_and_free_text_compose_one_question(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    typing = await standin.autocomplete("title", user=team.member("bob"), channel=general, focused="title",
                                        value="7. Koğuştaki")
    picked = (await typing).choices[0]["value"]
    run = await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                         options={"title": picked})
    assert "Miracle in Cell No. 7 (2019, Türkiye" in text_of(await run.answer())
    typed_over = await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                                options={"title": "kogustaki mucize"})
    assert "Mehmet Ada Öztekin" in text_of(await typed_over.answer()), "free text still resolves"


async def test_synced_schema_is_what_discord_accepts(standin: DiscordStandin, bot: SlateBot) -> None:
    synced = {c["name"]: c for c in standin.state.global_commands}
    assert set(synced) == {*REGISTERED, *ADMIN_SLASH}
    for name, command in synced.items():
        assert 1 <= len(command["description"]) <= 100, name
        for option in command.get("options", []):
            assert 1 <= len(option["description"]) <= 100, (name, option["name"])
    for name in REGISTERED:
        options = {o["name"]: o for o in synced[name]["options"]}
        assert options["query"]["type"] == 3
        assert options["private"]["type"] == 5
        for option in COMMAND_OPTIONS.get(name, ()):
            assert options[option]["type"] == 3
            assert options[option]["autocomplete"] is True
        assert not any(o.get("required") for o in options.values())
        assert synced[name]["dm_permission"] is (name not in DEAL_DATA_COMMANDS)
    imports = {o["name"]: o["type"] for o in synced["import"]["options"]}
    assert imports == {"file": 11, "file2": 11, "file3": 11, "file4": 11, "file5": 11, "dry_run": 5}
    assert synced["import"]["dm_permission"] is False


# --- pages and choices --------------------------------------------------------------------------------------


async def test_pages_turn_for_the_asker_only(standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    first = await ask(standin, general, team.member("bob"), "!deals latam")
    assert "pager:next" in first.custom_ids()
    footer = first.embeds[0]["footer"]["text"]
    assert footer.startswith("Page 1 of ")
    stranger = await (await standin.click(first, "pager:next", user=team.member("alice")))
    assert stranger.ephemeral
    assert "Only the person who asked" in stranger.data["content"]
    assert first.embeds[0]["footer"]["text"] == footer, "someone else's click turns nothing"
    turned = await (await standin.click(first, "pager:next", user=team.member("bob")))
    assert turned.type == 7
    assert first.embeds[0]["footer"]["text"].startswith("Page 2 of ")


async def test_an_ambiguous_title_offers_a_choice_that_only_the_asker_can_make(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    offered = await ask(standin, general, team.member("bob"), "!title miracle")
    options = offered.custom_ids()["choice:candidate"]["options"]
    turkish = next(o["value"] for o in options if "2019, Türkiye" in o["label"])
    stranger = await standin.select(offered, "choice:candidate", [turkish], user=team.member("alice"))
    assert (await stranger).ephemeral
    picked = await standin.select(offered, "choice:candidate", [turkish], user=team.member("bob"))
    assert (await picked).type == 7, "the pick is acknowledged by updating the choice message"
    answer = await standin.state.wait_until(lambda: picked.followups[0] if picked.followups else None,
                                            timeout=5, what="the answer to the pick")
    assert "Mehmet Ada Öztekin" in text_of(answer)
    assert offered.custom_ids()["choice:candidate"]["disabled"] is True


# --- fees, on every path ------------------------------------------------------------------------------------


async def test_fees_show_only_to_sales_and_only_privately(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    alice, bob = team.member("alice"), team.member("bob")
    options = {"query": "secrets of the bosphorus"}

    private = await (await standin.send_interaction("deals", user=alice, channel=general,
                                                    options={**options, "private": True})).answer()
    assert private.ephemeral
    assert FEE.search(text_of(private))

    public = await (await standin.send_interaction("deals", user=alice, channel=general,
                                                   options=options)).answer()
    assert not public.ephemeral
    assert not FEE.search(text_of(public))
    assert "confidential" in text_of(public).casefold()

    not_sales = await (await standin.send_interaction("deals", user=bob, channel=general,
                                                      options={**options, "private": True})).answer()
    assert not_sales.ephemeral
    assert not FEE.search(text_of(not_sales))

    in_channel = await ask(standin, general, bob, "!deals secrets of the bosphorus")
    assert not FEE.search(text_of(in_channel))
    assert "confidential" in text_of(in_channel).casefold()
    assert not [m for m in standin.state.messages.values() if m.channel_id == standin.state.dm_channel(bob.user).id]

    asked = await standin.send_message(general, alice, "!deals secrets of the bosphorus")
    shown = await standin.state.wait_for_message(general, after=asked)
    assert not FEE.search(text_of(shown))
    dm = await standin.state.wait_for_message(alice, after=asked)
    assert FEE.search(text_of(dm)), "a sales role gets the full answer by DM"

    from_dm = await standin.send_dm(alice, "!deals secrets of the bosphorus")
    refused = await standin.state.wait_for_message(alice, after=from_dm)
    assert refused.content == "That works only in the team's server, not in direct messages."


# --- safety ------------------------------------------------------------------------------------------------


async def test_a_title_named_like_a_mention_pings_nobody(
        standin: DiscordStandin, team: Guild, bot: SlateBot, tmp_path: Any) -> None:
    sheet = tmp_path / "titles.csv"
    sheet.write_text("title,year,origin,kind\n@everyone **boom** <@&1>,2024,TR,film\n", encoding="utf-8")
    upload = await standin.send_interaction("import", user=team.member("carol"), channel=team.channel("general"),
                                            options={"file": ("titles.csv", sheet.read_bytes())})
    assert "Imported" in text_of(await upload.answer(timeout=5))
    general = team.channel("general")
    for reply in (
        await ask(standin, general, team.member("bob"), "!title @everyone **boom**"),
        await (await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                              options={"query": "@everyone **boom**"})).answer(),
    ):
        assert reply.allowed_mentions == {"parse": []}
        assert not reply.mentions
        assert not reply.mention_everyone
        assert not reply.mention_role_ids
        title = reply.embeds[0]["title"]
        assert "\\*\\*boom\\*\\*" in title
        assert "@everyone" not in title.replace("@\u200beveryone", "")


async def test_the_largest_demo_replies_fit_discords_limits(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog) -> None:
    async with catalog.sessions() as session:
        titles = (await session.execute(select(Title.name, Title.year, Title.origin))).all()
    lines = [f"!title {name} ({year}, {origin})" for name, year, origin in titles]
    lines += ["!help", "!deals latam", *(f"!{name} {example_query(name)}" for name in REGISTERED)]
    lines += [line for line in ("!ratings latam", "!top latam", "!buyer imagen", "!avails latam")
              if line.split()[0][1:] in COMMANDS]  # the longest lists, once those commands are registered
    general = team.channel("general")
    for line in lines:
        reply = await ask(standin, general, team.member("alice"), line)
        assert APOLOGY not in reply.content, line
        assert reply.embeds, line
        assert embed_chars(reply) <= EMBED_MAX, line
    refused = [c for c in standin.state.calls if c.status >= 400]
    assert not refused, [(c.method, c.path, c.status) for c in refused]


# --- import ------------------------------------------------------------------------------------------------


async def count_titles(catalog: OpenCatalog) -> int:
    async with catalog.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(Title))).scalar_one())


async def test_import_good_file_then_bad_file(
        standin: DiscordStandin, team: Guild, bot: SlateBot, catalog: OpenCatalog) -> None:
    general, carol = team.channel("general"), team.member("carol")
    before = await count_titles(catalog)
    good = b"title,year,origin,kind\nThe Winter Orchard,2025,TR,series\n"
    run = await standin.send_interaction("import", user=carol, channel=general,
                                         options={"file": ("titles.csv", good)})
    assert (await run).type == 5, "an import defers first"
    answer = await run.answer(timeout=10)
    assert answer.ephemeral
    assert "Imported titles.csv" in text_of(answer)
    assert await count_titles(catalog) == before + 1
    typing = await standin.autocomplete("title", user=carol, channel=general, focused="title", value="winter orch")
    assert any("The Winter Orchard" in c["name"] for c in (await typing).choices), "names re-indexed"

    bad = b"title,territory,channel,viewers\nThe Wintr Orchad,MX,Imagen TV,lots\n"
    run = await standin.send_interaction("import", user=carol, channel=general,
                                         options={"file": ("ratings.csv", bad), "file2": ("notes.txt", b"hi")})
    refused = text_of(await run.answer(timeout=10))
    assert "Nothing was imported" in refused
    assert "notes.txt" in refused
    run = await standin.send_interaction("import", user=carol, channel=general,
                                         options={"file": ("ratings.csv", bad)})
    refused = text_of(await run.answer(timeout=10))
    assert "Nothing was imported" in refused
    assert "ratings.csv" in refused
    assert "row 2" in refused
    assert await count_titles(catalog) == before + 1


# --- failures ---------------------------------------------------------------------------------------------


async def test_the_bot_keeps_answering_after_a_command_raises(
        standin: DiscordStandin, team: Guild, bot: SlateBot, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def explode(text: str, context: Any) -> Any:
        raise RuntimeError("the printer is on fire")

    monkeypatch.setitem(COMMANDS, "title", Command(COMMANDS["title"].help, explode))
    general = team.channel("general")
    broken = await ask(standin, general, team.member("bob"), "!title miracle")
    assert broken.content == APOLOGY
    run = await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                         options={"query": "miracle"})
    answer = await run.answer()
    assert answer.content == APOLOGY
    assert answer.ephemeral
    assert "the printer is on fire" in caplog.text
    assert "Traceback" in caplog.text
    assert "Traceback" not in broken.content
    monkeypatch.undo()
    again = await ask(standin, general, team.member("bob"), "!title 7. Koğuştaki Mucize")
    assert "Mehmet Ada Öztekin" in text_of(again)


async def test_numbers_follow_the_readers_discord_language(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    spanish = await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                             options={"query": "7. Koğuştaki Mucize"}, locale="es-ES")
    assert "3,1 millones" in text_of(await spanish.answer())
    german = await standin.send_interaction("title", user=team.member("bob"), channel=general,
                                            options={"query": "7. Koğuştaki Mucize"}, locale="de")
    assert "3.1 million" in text_of(await german.answer()), "a language Slate does not speak: the default"
