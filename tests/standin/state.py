"""The in-memory world behind the stand-in: who exists, what was said, and every call discord.py made.

Everything is kept as plain dataclasses with integer snowflakes; ``payload()`` methods shape them the way
Discord's API documents them (ids as strings), which is what discord.py's models parse. Nothing here knows
HTTP or websockets: the server reads and changes this state, and tests assert on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

T = TypeVar("T")

DISCORD_EPOCH_MS = 1420070400000
STANDIN_TOKEN = "standin-token"  # what the stand-in accepts unless told otherwise; not a secret


class Permission:
    """The permission bits the stand-in reasons about (Discord's documented values)."""

    ADMINISTRATOR = 1 << 3
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = EVERYONE_DEFAULT


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class ChannelType:
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Snowflakes:
    """Time-based, strictly increasing ids, so discord.py's ``snowflake_time`` gives plausible dates."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        self._last = max(now, self._last + 1)
        return self._last


@dataclass(eq=False)
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "username": self.username, "discriminator": "0", "global_name": self.global_name,
            "avatar": None, "bot": self.bot, "system": False, "public_flags": 0, "flags": 0, "banner": None,
            "accent_color": None, "avatar_decoration_data": None, "primary_guild": None,
        }


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    managed: bool = False
    bot_id: int | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id), "name": self.name, "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "icon": None, "unicode_emoji": None, "position": self.position,
            "permissions": str(self.permissions), "managed": self.managed, "mentionable": False, "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    """A channel permission overwrite; ``type`` 0 is a role, 1 a member."""

    id: int
    type: Literal[0, 1]
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


@dataclass(eq=False)
class Channel:
    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient: User | None = None  # DMs only

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    def payload(self) -> dict[str, Any]:
        if self.is_dm:
            assert self.recipient is not None
            return {"id": str(self.id), "type": self.type, "last_message_id": None, "flags": 0,
                    "recipients": [self.recipient.payload()]}
        data: dict[str, Any] = {
            "id": str(self.id), "type": self.type, "guild_id": str(self.guild_id), "name": self.name,
            "position": self.position, "permission_overwrites": [o.payload() for o in self.overwrites],
            "parent_id": None if self.parent_id is None else str(self.parent_id), "nsfw": False, "flags": 0,
        }
        if self.type in (ChannelType.TEXT, ChannelType.NEWS):
            data.update(topic=self.topic, last_message_id=None, rate_limit_per_user=0,
                        default_auto_archive_duration=1440)
        elif self.type == ChannelType.VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None, rate_limit_per_user=0)
        return data


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: dt.datetime = field(default_factory=utcnow)

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "nick": self.nick, "avatar": None, "banner": None, "roles": [str(r) for r in self.role_ids],
            "joined_at": iso(self.joined_at), "premium_since": None, "deaf": False, "mute": False, "flags": 0,
            "pending": False, "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    locale: str = "en-US"

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def channel(self, name: str) -> Channel:
        return _named(self.channels.values(), name, lambda c: c.name, "channel")

    def role(self, name: str) -> Role:
        return _named(self.roles.values(), name, lambda r: r.name, "role")

    def member(self, name: str) -> Member:
        return _named(self.members.values(), name, lambda m: m.user.username, "member")

    def permissions_for(self, member: Member, channel: Channel | None = None) -> int:
        """Discord's documented computation: base from roles, then everyone, role and member overwrites."""
        if member.id == self.owner_id:
            return Permission.ALL
        base = self.everyone.permissions
        for role_id in member.role_ids:
            base |= self.roles[role_id].permissions
        if base & Permission.ADMINISTRATOR:
            return Permission.ALL
        if channel is None:
            return base
        by_id = {o.id: o for o in channel.overwrites}
        if everyone := by_id.get(self.id):
            base = (base & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            if overwrite := by_id.get(role_id):
                allow, deny = allow | overwrite.allow, deny | overwrite.deny
        base = (base & ~deny) | allow
        if (own := by_id.get(member.id)) and own.type == 1:
            base = (base & ~own.deny) | own.allow
        return base

    def payload(self) -> dict[str, Any]:
        """The GUILD_CREATE shape: the guild with its channels, roles and every member."""
        return {
            "id": str(self.id), "name": self.name, "icon": None, "splash": None, "discovery_splash": None,
            "owner_id": str(self.owner_id), "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0,
            "default_message_notifications": 0, "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()], "emojis": [], "stickers": [], "features": [],
            "mfa_level": 0, "application_id": None, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "public_updates_channel_id": None, "safety_alerts_channel_id": None,
            "max_members": 500000, "vanity_url_code": None, "description": None, "banner": None,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": self.locale,
            "nsfw_level": 0, "premium_progress_bar_enabled": False, "nsfw": False,
            "joined_at": iso(utcnow()), "large": False, "unavailable": False, "member_count": len(self.members),
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
        }


def _named(items: Iterable[T], name: str, key: Callable[[T], str | None], kind: str) -> T:
    found = [item for item in items if key(item) == name]
    if len(found) != 1:
        raise LookupError(f"stand-in: {len(found)} {kind}s named {name!r}")
    return found[0]


@dataclass(eq=False)
class Attachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "filename": self.filename, "size": len(self.data),
                                "url": self.url, "proxy_url": self.url}
        if self.content_type:
            data["content_type"] = self.content_type
        if self.description:
            data["description"] = self.description
        return data


@dataclass(eq=False)
class Message:
    """A message as Discord holds it; ``allowed_mentions`` is exactly what the client sent (None: not sent)."""

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    flags: int = 0
    type: int = 0
    tts: bool = False
    mentions: list[User] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    interaction_id: int | None = None
    webhook_id: int | None = None
    nonce: str | int | None = None
    edited_at: dt.datetime | None = None
    deleted: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)

    EPHEMERAL = 1 << 6
    LOADING = 1 << 7

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & self.LOADING)

    def custom_ids(self) -> dict[str, dict[str, Any]]:
        """Every interactive component by custom_id, at any depth (action rows, sections, containers)."""
        found: dict[str, dict[str, Any]] = {}

        def walk(components: list[dict[str, Any]]) -> None:
            for component in components:
                if "custom_id" in component:
                    found[component["custom_id"]] = component
                walk(component.get("components", []))
                if accessory := component.get("accessory"):
                    walk([accessory])

        walk(self.components)
        return found


@dataclass
class Callback:
    """One answer to POST /interactions/{id}/{token}/callback."""

    type: int
    data: dict[str, Any] | None
    message: Message | None = None

    @property
    def choices(self) -> list[dict[str, Any]]:
        return (self.data or {}).get("choices", [])

    @property
    def ephemeral(self) -> bool:
        return bool((self.data or {}).get("flags", 0) & Message.EPHEMERAL)


@dataclass(eq=False)
class Interaction:
    """An interaction the test injected, and everything the bot answered to it.

    ``await interaction`` (or ``await interaction.response()``) gives the first callback;
    ``await interaction.answer()`` the message the user finally sees (after a defer, the edited original
    or the first followup).
    """

    id: int
    token: str
    type: int
    user: User
    channel: Channel
    guild_id: int | None
    payload: dict[str, Any]
    state: StandinState
    source_message: Message | None = None
    created: float = field(default_factory=time.monotonic)
    callbacks: list[Callback] = field(default_factory=list)
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)

    def __await__(self):  # type: ignore[no-untyped-def]
        return self.response().__await__()

    async def response(self, timeout: float = 2.0) -> Callback:  # noqa: ASYNC109 - every wait is bounded
        return await self.state.wait_until(lambda: self.callbacks[0] if self.callbacks else None,
                                           timeout=timeout, what=f"a response to interaction {self.id}")

    async def answer(self, timeout: float = 2.0) -> Message:  # noqa: ASYNC109
        def visible() -> Message | None:
            if self.original is not None and not self.original.loading:
                return self.original
            return self.followups[0] if self.followups else None

        return await self.state.wait_until(visible, timeout=timeout, what=f"the answer to interaction {self.id}")


@dataclass
class RestCall:
    method: str
    path: str  # without the /api/v10 prefix
    route: str | None  # the stand-in's route template; None when the stand-in has no such route
    query: dict[str, str]
    json: Any = None  # the JSON body, or payload_json of a multipart body
    files: list[str] = field(default_factory=list)
    status: int = 0
    fault: str | None = None


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    kind: Literal["status", "hang"]
    status: int
    times: int
    retry_after: float
    is_global: bool
    after_handling: bool
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let hanging calls go on (they then answer normally)."""
        self.released.set()


def route_pattern(route: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` matches any channel; ``/channels/42/messages`` only that one."""
    parts = re.split(r"(\{[^}]*\})", route)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class StandinState:
    """Users, guilds, channels, messages, commands, interactions and the call log of one stand-in."""

    def __init__(self, *, token: str = STANDIN_TOKEN, bot_name: str = "Slate") -> None:
        self.snowflakes = Snowflakes()
        self.token = token
        self.base_url = ""  # set by the server once it listens
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.attachments: dict[int, Attachment] = {}
        self.interactions: dict[int, Interaction] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.calls: list[RestCall] = []
        self.gateway_log: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.typing: list[int] = []
        self.reactions: list[tuple[int, str]] = []
        self.bot = self.create_user(bot_name, bot=True)
        self.owner = self.create_user("owner")
        self.application_id = self.bot.id
        self.privileged_intents = Intent.PRIVILEGED  # enabled in the (pretend) developer portal
        self.interaction_deadline: float | None = 3.0  # Discord's: answer within 3 s or the token is dead
        self.rate_limit = (50, 1.0)  # requests per bucket and window seconds, sent as X-RateLimit-*
        self._changed = asyncio.Event()

    # -- building the world -------------------------------------------------------------------------------

    def create_user(self, username: str, *, bot: bool = False) -> User:
        user = User(self.snowflakes.next(), username, bot=bot)
        self.users[user.id] = user
        return user

    def create_guild(self, name: str, *, owner: User | None = None,
                     bot_permissions: int = Permission.BOT_DEFAULT) -> Guild:
        """A guild with its @everyone role, the bot's managed role and the bot as a member."""
        owner = owner or self.owner
        guild = Guild(self.snowflakes.next(), name, owner.id)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", Permission.EVERYONE_DEFAULT)
        self.guilds[guild.id] = guild
        bot_role = self.add_role(guild, self.bot.username, bot_permissions, managed=True)
        self.add_member(guild, owner)
        self.add_member(guild, self.bot, roles=[bot_role])
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int = 0, *, managed: bool = False) -> Role:
        role = Role(self.snowflakes.next(), guild.id, name, permissions, position=len(guild.roles), managed=managed,
                    bot_id=self.bot.id if managed else None)
        guild.roles[role.id] = role
        return role

    def add_channel(self, guild: Guild, name: str, *, type: int = ChannelType.TEXT,
                    category: Channel | None = None, overwrites: Iterable[Overwrite] = ()) -> Channel:
        channel = Channel(self.snowflakes.next(), type, name, guild.id, position=len(guild.channels),
                          parent_id=category.id if category else None, overwrites=list(overwrites))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, user: User | str, *, roles: Iterable[Role] = (),
                   nick: str | None = None) -> Member:
        if isinstance(user, str):
            user = self.create_user(user)
        member = Member(user, guild.id, [r.id for r in roles], nick=nick)
        guild.members[user.id] = member
        return member

    def dm_channel(self, user: User) -> Channel:
        """The bot's DM channel with ``user`` (one per user, as on Discord)."""
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient is user:
                return channel
        channel = Channel(self.snowflakes.next(), ChannelType.DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def member_of(self, guild_id: int | None, user: User) -> Member | None:
        guild = self.guilds.get(guild_id) if guild_id else None
        return guild.members.get(user.id) if guild else None

    # -- messages -----------------------------------------------------------------------------------------

    def store_message(self, channel: Channel, author: User, **fields: Any) -> Message:
        message = Message(self.snowflakes.next(), channel.id, channel.guild_id, author, **fields)
        self.resolve_mentions(message)
        self.messages[message.id] = message
        self.changed()
        return message

    def store_attachment(self, filename: str, data: bytes, *, content_type: str | None = None,
                         description: str | None = None, channel_id: int = 0) -> Attachment:
        attachment = Attachment(self.snowflakes.next(), filename, data, content_type, description)
        attachment.url = f"{self.base_url}/attachments/{channel_id}/{attachment.id}/{filename}"
        self.attachments[attachment.id] = attachment
        return attachment

    def resolve_mentions(self, message: Message) -> None:
        """Fill mentions from the content, filtered by allowed_mentions as Discord does for who is pinged."""
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        user_ids = [int(i) for i in re.findall(r"<@!?(\d+)>", message.content)]
        role_ids = [int(i) for i in re.findall(r"<@&(\d+)>", message.content)]
        everyone = "@everyone" in message.content or "@here" in message.content
        allowed = message.allowed_mentions
        if allowed is not None:
            parse = allowed.get("parse", [])
            users = {int(i) for i in allowed.get("users", [])}
            roles = {int(i) for i in allowed.get("roles", [])}
            user_ids = [i for i in user_ids if "users" in parse or i in users]
            role_ids = [i for i in role_ids if "roles" in parse or i in roles]
            everyone = everyone and "everyone" in parse
        reference = message.message_reference
        if reference and (allowed is None or allowed.get("replied_user", False)):
            replied = self.messages.get(int(reference.get("message_id", 0)))
            if replied is not None:
                user_ids.append(replied.author.id)
        message.mentions = list({i: self.users[i] for i in user_ids if i in self.users}.values())
        message.mention_role_ids = [i for i in dict.fromkeys(role_ids) if guild and i in guild.roles]
        message.mention_everyone = everyone

    def message_payload(self, message: Message, *, gateway: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(message.id), "channel_id": str(message.channel_id), "type": message.type,
            "author": message.author.payload(), "content": message.content,
            "timestamp": iso(dt.datetime.fromtimestamp(
                ((message.id >> 22) + DISCORD_EPOCH_MS) / 1000, dt.UTC)),
            "edited_timestamp": iso(message.edited_at) if message.edited_at else None,
            "tts": message.tts, "mention_everyone": message.mention_everyone,
            "mentions": [self._mentioned(message, user, gateway) for user in message.mentions],
            "mention_roles": [str(r) for r in message.mention_role_ids],
            "attachments": [a.payload() for a in message.attachments], "embeds": message.embeds,
            "components": message.components, "pinned": False, "flags": message.flags,
        }
        if message.nonce is not None:
            data["nonce"] = message.nonce
        if message.webhook_id is not None:
            data["webhook_id"] = str(message.webhook_id)
            data["application_id"] = str(self.application_id)
        if message.message_reference is not None:
            data["message_reference"] = {"type": 0, **message.message_reference}
            replied = self.messages.get(int(message.message_reference.get("message_id", 0)))
            data["referenced_message"] = self.message_payload(replied) if replied else None
        if message.interaction_id is not None and message.interaction_id in self.interactions:
            interaction = self.interactions[message.interaction_id]
            data["interaction_metadata"] = {
                "id": str(interaction.id), "type": interaction.type, "user": interaction.user.payload(),
                "authorizing_integration_owners": {"0": str(interaction.guild_id)} if interaction.guild_id
                else {"1": str(interaction.user.id)},
            }
        if gateway and message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
            member = self.member_of(message.guild_id, message.author)
            if member is not None and message.webhook_id is None:
                data["member"] = member.payload(with_user=False)
        return data

    def _mentioned(self, message: Message, user: User, gateway: bool) -> dict[str, Any]:
        data = user.payload()
        member = self.member_of(message.guild_id, user)
        if gateway and member is not None:
            data["member"] = member.payload(with_user=False)
        return data

    def messages_in(self, channel: Channel | int, *, include_ephemeral: bool = False) -> list[Message]:
        channel_id = channel if isinstance(channel, int) else channel.id
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted
                and (include_ephemeral or not m.ephemeral)]

    async def wait_for_message(self, channel: Channel | User | Member | None = None, *, after: Message | None = None,
                               author: User | None = None, check: Callable[[Message], bool] | None = None,
                               timeout: float = 2.0) -> Message:  # noqa: ASYNC109 - every wait is bounded
        """The first message (by default: from the bot) stored after ``after`` or after this call.

        ``channel`` may be a user, meaning the bot's DM channel with them; ephemeral interaction answers
        are included, so a hybrid command's reply is found whichever way it was invoked.
        """
        if isinstance(channel, Member):
            channel = channel.user
        if isinstance(channel, User):
            channel = self.dm_channel(channel)
        floor = after.id if after is not None else self.snowflakes.next()
        author = author or self.bot

        def found() -> Message | None:
            for message in self.messages.values():
                if (message.id > floor and message.author is author and not message.deleted
                        and (channel is None or message.channel_id == channel.id)
                        and (check is None or check(message))):
                    return message
            return None

        return await self.wait_until(found, timeout=timeout, what=f"a message from {author.username}")

    # -- application commands and interactions -------------------------------------------------------------

    def registered_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])

    def find_command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        for command in [*self.registered_commands(guild_id), *(self.global_commands if guild_id else [])]:
            if command["name"] == name and command.get("type", 1) == 1:
                return command
        known = sorted({c["name"] for c in [*self.global_commands, *self.guild_commands.get(guild_id or 0, [])]})
        raise LookupError(f"stand-in: /{name} is not registered (did the bot sync its commands?); known: {known}")

    # -- the call log, faults and waiting -----------------------------------------------------------------

    def calls_to(self, method: str | None = None, route: str | None = None) -> list[RestCall]:
        """Calls by method and route template, e.g. ``calls_to("POST", "/channels/{channel_id}/messages")``."""
        pattern = route_pattern(route) if route else None
        return [c for c in self.calls if (method is None or c.method == method)
                and (pattern is None or c.route == route or pattern.fullmatch(c.path))]

    @property
    def unknown_calls(self) -> list[RestCall]:
        """Calls discord.py made that the stand-in has no route for (each answered 404)."""
        return [c for c in self.calls if c.route is None]

    def inject_fault(self, method: str, route: str, *, status: int = 500, times: int = 1, hang: bool = False,
                     retry_after: float = 0.1, is_global: bool = False, after_handling: bool = False) -> Fault:
        """The next ``times`` calls to ``method route`` answer ``status`` (500, 429 with retry_after, ...)
        or, with ``hang=True``, never answer until ``fault.release()`` or the stand-in stops.

        ``route`` is a template (``/channels/{channel_id}/messages``) or a concrete path. With
        ``after_handling`` the call takes effect (the message is stored) and only the answer is ``status``,
        as when Discord's edge times out after the API did the work.
        """
        fault = Fault(method.upper(), route_pattern(route), "hang" if hang else "status", status, times,
                      retry_after, is_global, after_handling)
        self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == method and fault.pattern.fullmatch(path):
                fault.times -= 1
                return fault
        return None

    def changed(self) -> None:
        """Wake everything waiting in ``wait_until``."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], *, timeout: float,  # noqa: ASYNC109
                         what: str) -> T:
        """Re-run ``check`` whenever the state changes until it gives something truthy, at most ``timeout`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"stand-in: no {what} within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


_counter = itertools.count(1)


def new_token() -> str:
    return f"interaction-token-{next(_counter)}-{time.monotonic_ns()}"
