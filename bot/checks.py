"""Who may ask what, where: the team's servers, the sales roles (fees) and the admin roles (writes).

The catalog is the company's, so these are real checks that run on every path (prefix, slash,
autocomplete), not ``default_permissions`` hints that a server admin can loosen. Each refusal is a
``CheckFailure`` subclass that carries its sentence, so the one error funnel (``bot.errors``) can say it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.settings import Roles, Settings

if TYPE_CHECKING:
    from bot.app import SlateBot

log = logging.getLogger(__name__)

PRIVATE_TO_TEAM = "Slate is private to its team."
MEMBERSHIP_TTL = 600.0  # seconds a DM author's team membership is remembered


class Refusal(commands.CheckFailure, app_commands.CheckFailure):
    """A check that said no, with the one sentence the asker sees; usable on prefix and slash paths."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class NotTheTeam(Refusal):
    """Asked from a server that is not the team's, or in a DM by someone outside the team."""

    def __init__(self) -> None:
        super().__init__(PRIVATE_TO_TEAM)


class NeedsRole(Refusal):
    def __init__(self, role: str) -> None:
        super().__init__(f"You need the {role} role for that.")


class GuildOnly(Refusal):
    def __init__(self) -> None:
        super().__init__("That works only in the team's server, not in direct messages.")


def has_role(user: discord.abc.User, roles: Roles) -> bool:
    """True when ``user`` is a server member holding one of ``roles`` (by id or by name)."""
    if not roles or not isinstance(user, discord.Member):
        return False
    return any(roles.match(role.id, role.name) for role in user.roles)


def may_see_fees(user: discord.abc.User, settings: Settings) -> bool:
    """Whether the person may see fees and terms at all; the caller still decides if the place is private."""
    return has_role(user, settings.sales_roles)


def role_label(roles: Roles, label: str, guild: discord.Guild | None) -> str:
    """The role to name in a refusal: the configured name, or the server's name for a configured id."""
    if not roles.names and guild is not None:
        for role_id in sorted(roles.ids):
            if (role := guild.get_role(role_id)) is not None:
                return role.name
    return label


@dataclass
class TeamGate:
    """Answers "is this the team?" for a guild or a DM author, remembering DM authors for a while.

    Guilds are a set lookup. A DM has no guild, so its author counts as the team when they are a member of
    one of the team's servers: looked up in the cache first, then asked of Discord (one REST call), and
    the answer kept for ``MEMBERSHIP_TTL`` seconds so a conversation costs one call, not one per message.
    """

    bot: SlateBot
    guild_ids: frozenset[int]
    _members: dict[int, tuple[float, bool]] = field(default_factory=dict)
    _logged_guilds: set[int] = field(default_factory=set)

    def allows_guild(self, guild: discord.abc.Snowflake) -> bool:
        if guild.id in self.guild_ids:
            return True
        # Loud the first time (someone invited the bot somewhere), quieter after.
        level = logging.INFO if guild.id in self._logged_guilds else logging.WARNING
        self._logged_guilds.add(guild.id)
        log.log(level, "asked from server %s, which is not in SLATE_GUILD_IDS: answered only that Slate is"
                " private to its team", guild.id)
        return False

    async def allows_user(self, user: discord.abc.User) -> bool:
        now = time.monotonic()
        remembered = self._members.get(user.id)
        if remembered is not None and now - remembered[0] < MEMBERSHIP_TTL:
            return remembered[1]
        member = False
        for guild_id in sorted(self.guild_ids):
            guild = self.bot.get_guild(guild_id)
            if guild is None:
                continue
            if guild.get_member(user.id) is not None:
                member = True
                break
            try:
                await guild.fetch_member(user.id)
            except discord.NotFound:
                continue
            except discord.HTTPException:
                log.warning("could not check whether user %s is in server %s", user.id, guild_id, exc_info=True)
                continue
            member = True
            break
        if not member:
            log.info("direct message from user %s, who is in none of the team's servers", user.id)
        self._members[user.id] = (now, member)
        return member

    async def allows(self, guild: discord.abc.Snowflake | None, user: discord.abc.User) -> bool:
        return self.allows_guild(guild) if guild is not None else await self.allows_user(user)


def _bot_of(ctx: commands.Context[Any]) -> SlateBot:
    return ctx.bot  # type: ignore[no-any-return]


async def team_only(ctx: commands.Context[Any]) -> bool:
    """Global check: the team's servers, and DMs from the team's members; elsewhere one line."""
    if not await _bot_of(ctx).gate.allows(ctx.guild, ctx.author):
        raise NotTheTeam
    return True


async def guild_only(ctx: commands.Context[Any]) -> bool:
    """Deal data stays in the team's server, where roles can be checked (never in a stranger's DM)."""
    if ctx.guild is None:
        raise GuildOnly
    return True


async def is_admin(bot: SlateBot, user: discord.abc.User) -> bool:
    settings = bot.settings
    return (user.id in settings.owner_ids or has_role(user, settings.admin_roles)
            or await bot.is_owner(user))


async def require_admin(bot: SlateBot, user: discord.abc.User, guild: discord.Guild | None) -> bool:
    """Write and admin commands (import, sync, announcements): the owners and the admin roles, only in the
    team's server. Raises the refusal whose sentence the error funnel shows; the same rule on every path."""
    if guild is None:
        raise GuildOnly
    if not await is_admin(bot, user):
        settings = bot.settings
        raise NeedsRole(role_label(settings.admin_roles, settings.admin_role_label, guild))
    return True


async def admin_only(ctx: commands.Context[Any]) -> bool:
    """``require_admin`` as a prefix-command check."""
    return await require_admin(_bot_of(ctx), ctx.author, ctx.guild)
