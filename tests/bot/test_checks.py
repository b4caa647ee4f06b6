"""Who may ask what, where: the team's servers only, DMs from the team only, admin commands for admins only,
and the settings these checks read. Refusals are checked on each path (prefix, slash, autocomplete)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from discord import app_commands
from discord.ext import commands
from standin import DiscordStandin, Guild, Member, Message

from bot.app import SlateBot
from bot.checks import PRIVATE_TO_TEAM, GuildOnly, NeedsRole, NotTheTeam
from bot.errors import sentence_for
from bot.settings import Roles, SettingsError, load_settings
from commands.errors import CommandError

NEEDS_ADMIN = "You need the Slate Admin role for that."


async def ask(standin: DiscordStandin, channel: object, member: Member, text: str) -> Message:
    asked = await standin.send_message(channel, member, text)  # type: ignore[arg-type]
    return await standin.state.wait_for_message(channel, after=asked)  # type: ignore[arg-type]


# --- the team's servers only ------------------------------------------------------------------------------


async def test_a_server_not_in_the_list_gets_one_line_and_a_log_line(
        standin: DiscordStandin, elsewhere: Guild, bot: SlateBot, caplog: pytest.LogCaptureFixture) -> None:
    lobby, mallory = elsewhere.channel("lobby"), elsewhere.member("mallory")
    with caplog.at_level(logging.INFO, logger="bot"):
        by_prefix = await ask(standin, lobby, mallory, "!title miracle")
    assert by_prefix.content == PRIVATE_TO_TEAM
    assert not by_prefix.embeds
    assert str(elsewhere.id) in caplog.text

    run = await standin.send_interaction("title", user=mallory, channel=lobby, options={"query": "miracle"})
    by_slash = await run.answer()
    assert by_slash.content == PRIVATE_TO_TEAM
    assert by_slash.ephemeral

    typing = await standin.autocomplete("title", user=mallory, channel=lobby, focused="title", value="mir")
    assert (await typing).choices == [], "no catalog names for strangers"

    sync = await ask(standin, lobby, mallory, "!sync")
    assert sync.content == PRIVATE_TO_TEAM, "an admin role elsewhere is not an admin of Slate"
    assert standin.state.guild_commands.get(elsewhere.id) is None


async def test_direct_messages_answer_the_team_and_nobody_else(
        standin: DiscordStandin, team: Guild, elsewhere: Guild, bot: SlateBot) -> None:
    stranger = await standin.send_dm(elsewhere.member("mallory"), "!title 7. Koğuştaki Mucize")
    refused = await standin.state.wait_for_message(elsewhere.member("mallory"), after=stranger)
    assert refused.content == PRIVATE_TO_TEAM

    asked = await standin.send_dm(team.member("bob"), "!title 7. Koğuştaki Mucize")
    answered = await standin.state.wait_for_message(team.member("bob"), after=asked)
    assert answered.embeds
    assert "Mehmet Ada Öztekin" in str(answered.embeds)

    deals = await standin.send_dm(team.member("alice"), "!deals latam")
    refused = await standin.state.wait_for_message(team.member("alice"), after=deals)
    assert refused.content == "That works only in the team's server, not in direct messages."


# --- admin commands -------------------------------------------------------------------------------------


async def test_sync_is_for_admins_and_owners(standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general = team.channel("general")
    refused = await ask(standin, general, team.member("alice"), "!sync")
    assert refused.content == NEEDS_ADMIN
    assert standin.state.guild_commands.get(team.id) is None

    synced = await ask(standin, general, team.member("carol"), "!sync")
    assert synced.content.startswith("Synced ")
    assert "to this server" in synced.content
    names = {c["name"] for c in standin.state.guild_commands[team.id]}
    assert {"title", "help", "import"} <= names

    owner = team.members[team.owner_id]
    cleared = await ask(standin, general, owner, "!sync clear")
    assert cleared.content.startswith("Synced 0 slash commands")
    assert standin.state.guild_commands[team.id] == []

    standin.state.global_commands.clear()
    everywhere = await ask(standin, general, team.member("carol"), "!sync global")
    assert "every server" in everywhere.content
    assert {"title", "help", "import"} <= {c["name"] for c in standin.state.global_commands}


async def test_import_is_refused_to_non_admins_on_both_paths(
        standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general, bob = team.channel("general"), team.member("bob")
    sheet = ("titles.csv", b"title,year,origin,kind\nNobody's Title,2025,TR,film\n")
    run = await standin.send_interaction("import", user=bob, channel=general, options={"file": sheet})
    refused = await run.answer()
    assert refused.content == NEEDS_ADMIN
    assert refused.ephemeral
    by_prefix = await standin.send_message(general, bob, "!import", attachments=[sheet])
    assert (await standin.state.wait_for_message(general, after=by_prefix)).content == NEEDS_ADMIN
    typing = await standin.autocomplete("title", user=bob, channel=general, focused="title", value="nobody")
    assert not any("Nobody" in c["name"] for c in (await typing).choices)


async def test_import_by_prefix_with_attachments(standin: DiscordStandin, team: Guild, bot: SlateBot) -> None:
    general, carol = team.channel("general"), team.member("carol")
    sheet = ("titles.csv", b"title,year,origin,kind\nThe Quiet Harbour,2025,TR,series\n")
    checked = await standin.send_message(general, carol, "!import check", attachments=[sheet])
    reply = await standin.state.wait_for_message(general, after=checked, timeout=5)
    assert reply.embeds[0]["title"] == "Checked titles.csv"
    imported = await standin.send_message(general, carol, "!import", attachments=[sheet])
    reply = await standin.state.wait_for_message(general, after=imported, timeout=5)
    assert reply.embeds[0]["title"] == "Imported titles.csv"
    nothing = await ask(standin, general, carol, "!import")
    assert "Attach the CSV or .xlsx files" in str(nothing.embeds)


# --- the sentences of the funnel ------------------------------------------------------------------------------


def test_each_refusal_and_error_has_its_sentence() -> None:
    cooldown = commands.CommandOnCooldown(commands.Cooldown(1, 30), 12.2, commands.BucketType.user)
    cases = {
        NotTheTeam(): PRIVATE_TO_TEAM,
        NeedsRole("Sales"): "You need the Sales role for that.",
        GuildOnly(): "That works only in the team's server, not in direct messages.",
        cooldown: "Try again in 13 s.",
        app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 0.2): "Try again in 1 s.",
        commands.CommandInvokeError(CommandError("No title is called “x”.")): "No title is called “x”.",
    }
    for error, sentence in cases.items():
        assert sentence_for(error, prefix="!", command="title") == sentence
    assert sentence_for(commands.CommandInvokeError(RuntimeError("boom")), prefix="!", command="title") is None


# --- settings the checks read ---------------------------------------------------------------------------------


def test_roles_and_servers_come_from_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.env", environ={
        "SLATE_GUILD_IDS": "123456789012345678, 223456789012345678",
        "SLATE_SALES_ROLES": "Sales, Press Desk, 323456789012345678",
        "SLATE_ADMIN_ROLES": "423456789012345678",
        "SLATE_OWNER_IDS": "523456789012345678",
        "SLATE_COOLDOWN_SECONDS": "5",
    })
    assert settings.require_guilds() == {123456789012345678, 223456789012345678}
    assert settings.sales_roles == Roles(ids=frozenset({323456789012345678}),
                                         names=frozenset({"sales", "press desk"}))
    assert settings.sales_roles.match(1, "PRESS DESK")
    assert settings.sales_roles.match(323456789012345678, "renamed")
    assert not settings.sales_roles.match(2, "Marketing")
    assert settings.admin_roles.ids == {423456789012345678}
    assert settings.owner_ids == {523456789012345678}
    assert settings.cooldown_seconds == 5.0


def test_defaults_name_the_roles_and_answer_in_no_server(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.env", environ={})
    assert settings.sales_roles.match(1, "sales")
    assert settings.admin_roles.match(1, "Slate Admin")
    assert settings.cooldown_seconds == 10.0
    with pytest.raises(SettingsError, match="SLATE_GUILD_IDS is not set"):
        settings.require_guilds()


@pytest.mark.parametrize(("name", "value"), [
    ("SLATE_GUILD_IDS", "my server"),
    ("SLATE_GUILD_IDS", "123"),
    ("SLATE_OWNER_IDS", "@me"),
    ("SLATE_SALES_ROLES", "@Sales"),
    ("SLATE_ADMIN_ROLES", "x" * 101),
    ("SLATE_COOLDOWN_SECONDS", "soon"),
    ("SLATE_COOLDOWN_SECONDS", "-1"),
    ("SLATE_COOLDOWN_SECONDS", "nan"),
])
def test_a_malformed_setting_names_itself(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(tmp_path / "none.env", environ={name: value})
