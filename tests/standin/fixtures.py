"""Building blocks for a test's own fixtures: a running stand-in, and a guild to put in it.

Root-level ``pytest_plugins`` would be the usual way to share fixtures, and only tests/conftest.py may
declare it, so these are plain async context managers and functions; a test module wraps them in a local
fixture (see README.md)::

    @pytest.fixture
    async def standin() -> AsyncIterator[DiscordStandin]:
        async with discord_standin() as standin:
            yield standin
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping

from .client import pointed_at
from .server import DiscordStandin
from .state import STANDIN_TOKEN, ChannelType, Guild, Overwrite, Permission, StandinState


@contextlib.asynccontextmanager
async def discord_standin(*, token: str = STANDIN_TOKEN, bot_name: str = "Slate",
                          strict: bool = True) -> AsyncIterator[DiscordStandin]:
    """A stand-in listening on 127.0.0.1 with discord.py pointed at it; stopped and unpointed afterwards.

    With ``strict``, a test that passes but made discord.py call a route the stand-in lacks fails at the
    end, naming the calls, so a gap in the stand-in cannot hide behind a bot that swallows HTTP errors.
    """
    standin = DiscordStandin(StandinState(token=token, bot_name=bot_name))
    await standin.start()
    try:
        with pointed_at(standin):
            yield standin
    finally:
        await standin.stop()
    unknown = standin.state.unknown_calls
    if strict and unknown:
        raise AssertionError("discord.py called routes the stand-in lacks: "
                             + ", ".join(f"{c.method} {c.path}" for c in unknown))


def create_guild(state: StandinState, name: str = "Sales", *, channels: Iterable[str] = ("general",),
                 roles: Mapping[str, int] | None = None, members: Mapping[str, Iterable[str]] | None = None,
                 private: Mapping[str, Iterable[str]] | None = None,
                 bot_permissions: int = Permission.BOT_DEFAULT) -> Guild:
    """A guild with text channels, roles (name -> permission bits) and members (name -> role names).

    ``private`` maps a channel name to the role names that may see it: @everyone is denied VIEW_CHANNEL
    there, those roles allowed. Look things up by name afterwards: ``guild.channel("general")``,
    ``guild.member("alice")``, ``guild.role("Sales")``. The bot and the guild owner are always members.
    Create guilds before the bot connects (they arrive in its GUILD_CREATEs).
    """
    guild = state.create_guild(name, bot_permissions=bot_permissions)
    for role_name, permissions in (roles or {}).items():
        state.add_role(guild, role_name, permissions)
    for channel_name in channels:
        state.add_channel(guild, channel_name)
    for channel_name, allowed in (private or {}).items():
        bot_role = next(r for r in guild.roles.values() if r.managed)
        overwrites = [Overwrite(guild.id, 0, deny=Permission.VIEW_CHANNEL),
                      Overwrite(bot_role.id, 0, allow=Permission.VIEW_CHANNEL),
                      *(Overwrite(guild.role(r).id, 0, allow=Permission.VIEW_CHANNEL) for r in allowed)]
        state.add_channel(guild, channel_name, type=ChannelType.TEXT, overwrites=overwrites)
    for username, role_names in (members or {}).items():
        state.add_member(guild, username, roles=[guild.role(r) for r in role_names])
    return guild
