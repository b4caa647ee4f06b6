"""The Discord bot: a ``commands.Bot`` built in ``main()`` from the settings and the open catalog.

Everything it needs is passed in (discord.py ``examples/advanced_startup.py``): no module-level bot, engine
or settings. It asks for the fewest intents that serve prefix commands in the team's channels and DMs,
pings nobody unless a message says so, and never syncs slash commands by itself: syncing is an admin's
``!sync`` or ``slate sync`` (Discord rate-limits it, and a restart should not rewrite the command list).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot import errors
from bot.catalog import OpenCatalog
from bot.checks import TeamGate, team_only
from bot.cogs import EXTENSIONS
from bot.settings import Settings

log = logging.getLogger(__name__)


def slate_intents() -> discord.Intents:
    """Servers (channels and roles), messages in them and in DMs, and their text for prefix commands.

    Message content is a privileged intent: it must also be switched on in the Developer Portal
    (docs/discord.md). Members and presences are not needed: roles come with each message's author.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    return intents


class SlateBot(commands.Bot):
    """Slate in Discord: the catalog's commands as prefix and slash commands, for the team's servers only."""

    def __init__(self, settings: Settings, catalog: OpenCatalog, **options: Any) -> None:
        options.setdefault("intents", slate_intents())
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.command_prefix),
            help_command=None,  # the registry's own `help` answers, the same as in the console
            allowed_mentions=discord.AllowedMentions.none(),
            case_insensitive=True,
            strip_after_prefix=True,
            tree_cls=errors.SlateTree,
            **options,
        )
        self.settings = settings
        self.catalog = catalog
        self.gate = TeamGate(self, settings.guild_ids)
        self.add_check(team_only)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        log.info("loaded %d commands; slash commands are synced only by !sync or `slate sync`",
                 len(self.commands))

    async def on_ready(self) -> None:
        assert self.user is not None  # noqa: S101 - set before READY is dispatched
        foreign = [guild.id for guild in self.guilds if guild.id not in self.settings.guild_ids]
        log.info("connected as %s (%s) to %d servers", self.user, self.user.id, len(self.guilds))
        if foreign:
            log.warning("also a member of servers not in SLATE_GUILD_IDS, where it answers nothing: %s",
                        ", ".join(map(str, foreign)))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if guild.id not in self.settings.guild_ids:
            log.warning("invited to server %s (%s), which is not in SLATE_GUILD_IDS", guild.id, guild.name)

    async def on_command_error(self, context: commands.Context[Any], exception: commands.CommandError,
                               /) -> None:
        await errors.on_command_error(context, exception)
