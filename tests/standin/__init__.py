"""A local stand-in of Discord's REST API and gateway, for driving the real discord.py client in tests."""

from .client import CLIENT_OPTIONS, loopback_only, pointed_at, running
from .fixtures import create_guild, discord_standin
from .server import ApiError, DiscordStandin
from .state import Callback, Channel, Guild, Intent, Interaction, Member, Message, Permission, Role, StandinState, User

__all__ = [
    "CLIENT_OPTIONS",
    "ApiError",
    "Callback",
    "Channel",
    "DiscordStandin",
    "Guild",
    "Intent",
    "Interaction",
    "Member",
    "Message",
    "Permission",
    "Role",
    "StandinState",
    "User",
    "create_guild",
    "discord_standin",
    "loopback_only",
    "pointed_at",
    "running",
]
