"""The stand-in's wire: Discord's REST API under /api/v10 and the gateway websocket, on 127.0.0.1 only.

The REST half answers the routes a bot with prefix and slash commands, views, DMs, files and scheduled posts
uses; every call lands in ``state.calls`` (unknown routes too, answered 404 so a test sees what is missing).
The gateway half speaks opcodes 0-11 with the transport compression discord.py asks for (zlib-stream, or
zstd-stream where a zstd library is installed), keeps each session's events so a RESUME replays what a
dropped connection missed, and honours intents.
The test-side helpers at the bottom inject what users do: messages, slash commands, autocomplete, clicks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
import re
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from .state import (
    Attachment,
    Callback,
    Channel,
    Guild,
    Intent,
    Interaction,
    Member,
    Message,
    Permission,
    RestCall,
    Role,
    StandinState,
    User,
    new_token,
    utcnow,
)

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
API = r"/api/v{version:\d+}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
BODY: web.RequestKey[Any] = web.RequestKey("body", object)  # JSON body, or a multipart body's payload_json

# interaction types and callback types (Discord's numbers)
PING, APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
ALLOWED_CALLBACKS = {PING: {1}, APPLICATION_COMMAND: {4, 5, 9}, COMPONENT: {4, 5, 6, 7, 9},
                     AUTOCOMPLETE: {8}, MODAL_SUBMIT: {4, 5, 6, 7}}
OPTION_TYPES = {3: str, 4: int, 5: bool, 10: float}
SENDABLE_FLAGS = 4 | 64 | 4096 | 32768  # suppress embeds, ephemeral, silent, components v2


class ApiError(Exception):
    """A JSON error answer as Discord sends it; ``errors`` maps a field path to what is wrong with it."""

    def __init__(self, status: int, code: int, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {code} {message} {errors or ''}")
        self.status, self.code, self.message, self.errors = status, code, message, dict(errors or {})

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = {path: {"_errors": [{"code": "INVALID", "message": text}]}
                              for path, text in self.errors.items()}
        return data


@dataclass
class Upload:
    index: int
    filename: str
    data: bytes


UPLOADS: web.RequestKey[list[Upload]] = web.RequestKey("uploads", list)


def json_response(data: Any, status: int = 200) -> web.Response:
    # exactly "application/json", no charset: discord.py's json_or_text compares the header verbatim
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def snowflake(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, 50035, "Invalid Form Body", {"id": "Value is not snowflake."}) from None


Encoder = Callable[[bytes], bytes]


def zlib_stream() -> Encoder:
    """Discord's zlib-stream: one deflate stream per connection, each message ending in a sync flush."""
    stream = zlib.compressobj()
    return lambda data: stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)


def zstd_stream() -> Encoder | None:
    """Discord's zstd-stream (one frame, a flushed block per message), from the library discord.py would
    decode it with; discord.py asks for it only when zstandard or Python 3.14's compression.zstd exists."""
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        try:
            from compression.zstd import ZstdCompressor  # type: ignore[import-not-found]
        except ImportError:
            return None
        compressor = ZstdCompressor()
        return lambda data: compressor.compress(data, mode=ZstdCompressor.FLUSH_BLOCK)
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


ENCODERS: dict[str | None, Callable[[], Encoder | None]] = {
    None: lambda: None, "zlib-stream": zlib_stream, "zstd-stream": zstd_stream}


class Connection:
    """One gateway websocket: sends are serialised so the compressed stream stays in order."""

    def __init__(self, ws: web.WebSocketResponse, encode: Encoder | None) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.encode = encode
        self.closed_by_server = False

    async def send(self, frame: dict[str, Any]) -> None:
        text = json.dumps(frame, separators=(",", ":"))
        async with self.lock:
            with contextlib.suppress(ConnectionError, RuntimeError):  # a closing socket: resume replays it
                if self.encode is not None:
                    await self.ws.send_bytes(self.encode(text.encode()))
                else:
                    await self.ws.send_str(text)


@dataclass(eq=False)
class Session:
    """A gateway session outlives its connections: events sent while it is detached are replayed on RESUME."""

    id: str
    intents: int
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None

    async def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.frames.append(frame)
        if self.connection is not None:
            await self.connection.send(frame)


class DiscordStandin:
    """A local Discord for one test: ``await start()``, point discord.py at ``api_base``, ``await stop()``."""

    def __init__(self, state: StandinState | None = None, *, heartbeat_interval_ms: int = 41250) -> None:
        self.state = state or StandinState()
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._buckets: dict[str, tuple[float, int]] = {}
        self._app = web.Application(middlewares=[self._api], client_max_size=32 * 1024 * 1024)
        self._add_routes()

    # -- life cycle ---------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        self.port = self._runner.addresses[0][1]
        self.state.base_url = f"http://{HOST}:{self.port}"

    async def stop(self) -> None:
        for fault in self.state.faults:
            fault.release()
        for session in self.sessions.values():
            if session.connection is not None:
                session.connection.closed_by_server = True
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(session.connection.ws.close(code=1001), 1.0)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def api_base(self) -> str:
        return f"http://{HOST}:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{HOST}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{HOST}:{self.port}/gateway/resume"

    # -- REST plumbing ------------------------------------------------------------------------------------

    def _add_routes(self) -> None:
        r = self._app.router
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway),
            ("GET", "/users/@me", self.get_me),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/applications/{application_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/commands", self.put_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("GET", "/channels/{channel_id}/messages", self.get_messages),
            ("POST", "/channels/{channel_id}/messages", self.post_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.patch_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.react),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", self.react),
            ("POST", "/channels/{channel_id}/typing", self.typing),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{application_id}/{token}", self.post_followup),
            ("GET", "/webhooks/{application_id}/{token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}", self.patch_webhook_message),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}", self.delete_webhook_message),
        ]
        for method, path, handler in routes:
            r.add_route(method, API + path, handler)
        r.add_get("/gateway", self.gateway)
        r.add_get("/gateway/resume", self.gateway)
        r.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)

    @web.middleware
    async def _api(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        path = re.sub(r"^/api/v\d+", "", request.path)
        resource = request.match_info.route.resource
        known = request.match_info.http_exception is None and resource is not None
        route = resource.canonical.removeprefix("/api/v{version}") if known and resource else None
        call = RestCall(request.method, path, route, dict(request.query))
        self.state.calls.append(call)
        try:
            body, uploads = await self._read_body(request)
            call.json, call.files = body, [u.filename for u in uploads]
            request[BODY], request[UPLOADS] = body, uploads
            response = await self._answer(request, handler, call)
        except ApiError as error:
            response = json_response(error.payload(), error.status)
        response.headers["Via"] = "1.1 google"
        call.status = response.status
        self.state.changed()
        return response

    async def _answer(self, request: web.Request, handler: Handler, call: RestCall) -> web.StreamResponse:
        if call.route is None:
            status = request.match_info.http_exception.status  # type: ignore[union-attr]
            log.warning("stand-in has no route for %s %s", call.method, call.path)
            return json_response({"message": f"{status}: {'Not Found' if status == 404 else 'Method Not Allowed'}",
                                  "code": 0}, status)
        open_route = call.route.startswith(("/interactions/", "/webhooks/")) or call.route == "/gateway"
        if not open_route and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        bucket = f"{call.method} {call.route} " + "+".join(
            request.match_info.get(k, "") for k in ("channel_id", "guild_id", "application_id", "token"))
        fault = self.state.take_fault(call.method, call.path)
        if fault is not None and fault.after_handling:
            call.fault = f"{fault.status} after handling"
            await handler(request)  # Discord did the work; the answer is lost on the way back
            return json_response({"message": f"{fault.status}: injected by the test", "code": 0}, fault.status)
        if fault is not None and fault.kind == "hang":
            call.fault = "hang"
            await fault.released.wait()
        elif fault is not None and fault.status == 429:
            call.fault = "429"
            return self._rate_limited(bucket, fault.retry_after, is_global=fault.is_global)
        elif fault is not None:
            call.fault = str(fault.status)
            return json_response({"message": f"{fault.status}: injected by the test", "code": 0}, fault.status)
        headers = self._count(bucket)
        if headers is None:
            return self._rate_limited(bucket, self._reset_after(bucket))
        response = await handler(request)
        response.headers.update(headers)
        return response

    def _reset_after(self, bucket: str) -> float:
        start, _ = self._buckets[bucket]
        return max(0.0, self.state.rate_limit[1] - (time.monotonic() - start))

    def _count(self, bucket: str) -> dict[str, str] | None:
        """X-RateLimit-* for this call, or None when the bucket is spent (the caller answers 429)."""
        limit, per = self.state.rate_limit
        now = time.monotonic()
        start, used = self._buckets.get(bucket, (now, 0))
        if now - start >= per:
            start, used = now, 0
        used += 1
        self._buckets[bucket] = (start, used)
        if used > limit:
            return None
        reset_after = per - (now - start)
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - used),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": format(abs(hash(bucket.rsplit(" ", 1)[0])), "x")}

    def _rate_limited(self, bucket: str, retry_after: float, *, is_global: bool = False) -> web.Response:
        response = json_response({"message": "You are being rate limited.", "retry_after": retry_after,
                                  "global": is_global, "code": 0}, 429)
        limit = self.state.rate_limit[0]
        response.headers.update({
            "Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}", "X-RateLimit-Scope": "global" if is_global else "user",
            "X-RateLimit-Bucket": format(abs(hash(bucket.rsplit(" ", 1)[0])), "x"),
        })
        if is_global:
            response.headers["X-RateLimit-Global"] = "true"
        return response

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if request.content_type == "multipart/form-data":
            body: Any = None
            uploads: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                elif part.name and (match := re.fullmatch(r"files\[(\d+)\]", part.name)):
                    data = await part.read()
                    uploads.append(Upload(int(match[1]), part.filename or f"file{match[1]}", bytes(data)))
            return body, uploads
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    # -- lookups and permissions --------------------------------------------------------------------------

    def _channel(self, request: web.Request, *, need: int = Permission.VIEW_CHANNEL) -> Channel:
        channel = self.state.channels.get(snowflake(request.match_info["channel_id"]))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        if channel.guild_id is not None:
            guild = self.state.guilds[channel.guild_id]
            perms = guild.permissions_for(guild.members[self.state.bot.id], channel)
            if not perms & Permission.VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access")
            if perms & need != need:
                raise ApiError(403, 50013, "Missing Permissions")
        return channel

    def _message(self, channel: Channel, message_id: str) -> Message:
        message = self.state.messages.get(snowflake(message_id))
        if message is None or message.deleted or message.channel_id != channel.id or message.ephemeral:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    def _guild(self, request: web.Request) -> Guild:
        guild = self.state.guilds.get(snowflake(request.match_info["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        return guild

    def _check_application(self, request: web.Request) -> None:
        if request.match_info["application_id"] != str(self.state.application_id):
            raise ApiError(403, 50001, "Missing Access")

    # -- REST: users, application, commands, guilds --------------------------------------------------------

    async def get_gateway(self, request: web.Request) -> web.Response:
        data: dict[str, Any] = {"url": self.gateway_url}
        if request.path.endswith("/bot"):
            data.update(shards=1, session_start_limit={"total": 1000, "remaining": 999, "reset_after": 14400000,
                                                       "max_concurrency": 1})
        return json_response(data)

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response({**self.state.bot.payload(), "verified": True, "mfa_enabled": False,
                              "locale": "en-US", "email": None})

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(snowflake(request.match_info["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user.payload())

    async def create_dm(self, request: web.Request) -> web.Response:
        user = self.state.users.get(snowflake((request[BODY] or {}).get("recipient_id")))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(self.state.dm_channel(user).payload())

    def _application_flags(self) -> int:
        """GATEWAY_PRESENCE, GATEWAY_GUILD_MEMBERS, GATEWAY_MESSAGE_CONTENT: the privileged intents enabled."""
        granted = self.state.privileged_intents
        return sum(flag for intent, flag in ((Intent.GUILD_PRESENCES, 1 << 12), (Intent.GUILD_MEMBERS, 1 << 14),
                                             (Intent.MESSAGE_CONTENT, 1 << 18)) if granted & intent)

    async def get_application(self, request: web.Request) -> web.Response:
        state = self.state
        flags = self._application_flags()
        return json_response({
            "id": str(state.application_id), "name": state.bot.username, "icon": None, "description": "",
            "summary": "", "type": None, "rpc_origins": [], "bot_public": True, "bot_require_code_grant": False,
            "owner": state.owner.payload(), "team": None, "verify_key": "0" * 64, "flags": flags,
            "bot": state.bot.payload(), "hook": True, "redirect_uris": [], "interactions_endpoint_url": None,
            "approximate_guild_count": len(state.guilds), "tags": [],
        })

    async def get_commands(self, request: web.Request) -> web.Response:
        self._check_application(request)
        guild_id = self._guild(request).id if "guild_id" in request.match_info else None
        return json_response(self.state.registered_commands(guild_id))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite: a command keeps its id when its name and type stay, as on Discord."""
        self._check_application(request)
        guild_id = self._guild(request).id if "guild_id" in request.match_info else None
        commands = request[BODY]
        check_commands(commands)
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in self.state.registered_commands(guild_id)}
        stored = []
        for command in commands:
            kind = command.get("type", 1)
            entry: dict[str, Any] = {
                "type": kind, "description": "", "options": [], "default_member_permissions": None,
                "nsfw": False, **command,
                "id": previous.get((command["name"], kind)) or str(self.state.snowflakes.next()),
                "application_id": str(self.state.application_id), "version": str(self.state.snowflakes.next()),
            }
            if guild_id is None:
                entry.setdefault("contexts", [0, 1, 2])
                entry.setdefault("integration_types", [0])
            else:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        if guild_id is None:
            self.state.global_commands = stored
        else:
            self.state.guild_commands[guild_id] = stored
        return json_response(stored)

    async def get_guild(self, request: web.Request) -> web.Response:
        data = self._guild(request).payload()
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at", "large"):
            data.pop(key, None)
        return json_response(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        return json_response([c.payload() for c in self._guild(request).channels.values()])

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        return json_response([r.payload() for r in self._guild(request).roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        member = self._guild(request).members.get(snowflake(request.match_info["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member.payload())

    # -- REST: channels and messages ----------------------------------------------------------------------

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request, need=Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY)
        query = request.query
        limit = min(100, max(1, int(query.get("limit", 50))))
        messages = sorted(self.state.messages_in(channel), key=lambda m: m.id, reverse=True)
        if "before" in query:
            messages = [m for m in messages if m.id < snowflake(query["before"])]
        if "after" in query:
            messages = [m for m in messages if m.id > snowflake(query["after"])][-limit:]
        return json_response([self.state.message_payload(m) for m in messages[:limit]])

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request, need=Permission.VIEW_CHANNEL | Permission.READ_MESSAGE_HISTORY)
        return json_response(self.state.message_payload(self._message(channel, request.match_info["message_id"])))

    async def post_message(self, request: web.Request) -> web.Response:
        body, uploads = request[BODY] or {}, request[UPLOADS]
        need = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | (Permission.ATTACH_FILES if uploads else 0)
        channel = self._channel(request, need=need)
        check_message(body, uploads, creating=True)
        reference = body.get("message_reference")
        if reference and reference.get("fail_if_not_exists", True):
            replied = self.state.messages.get(snowflake(reference.get("message_id")))
            if replied is None or replied.channel_id != channel.id:
                raise ApiError(400, 50035, "Invalid Form Body",
                               {"message_reference": "Unknown message"})
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # Discord: the same nonce from the same author within minutes gives back the first message
            for earlier in self.state.messages_in(channel):
                if earlier.nonce == nonce and earlier.author is self.state.bot:
                    return json_response(self.state.message_payload(earlier))
        fields = self._message_fields(body, uploads, channel.id, None)
        fields["flags"] = fields.get("flags", 0) & ~Message.EPHEMERAL
        message = self.state.store_message(channel, self.state.bot, type=19 if reference else 0, nonce=nonce,
                                           **fields)
        await self.dispatch_message("MESSAGE_CREATE", message)
        return json_response(self.state.message_payload(message))

    async def patch_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request.match_info["message_id"])
        if message.author is not self.state.bot:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        return json_response(await self._edit(message, request[BODY] or {}, request[UPLOADS]))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(channel, request.match_info["message_id"])
        if message.author is not self.state.bot:
            self._channel(request, need=Permission.VIEW_CHANNEL | Permission.MANAGE_MESSAGES)
        await self._delete(message)
        return web.Response(status=204)

    async def react(self, request: web.Request) -> web.Response:
        channel = self._channel(request, need=Permission.VIEW_CHANNEL | Permission.ADD_REACTIONS
                                | Permission.READ_MESSAGE_HISTORY)
        message = self._message(channel, request.match_info["message_id"])
        entry = (message.id, request.match_info["emoji"])
        if request.method == "PUT":
            self.state.reactions.append(entry)
        elif entry in self.state.reactions:
            self.state.reactions.remove(entry)
        return web.Response(status=204)

    async def typing(self, request: web.Request) -> web.Response:
        self.state.typing.append(self._channel(request, need=Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES).id)
        return web.Response(status=204)

    async def get_attachment(self, request: web.Request) -> web.Response:
        attachment = self.state.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None or attachment.filename != request.match_info["filename"]:
            return web.Response(status=404)
        return web.Response(body=attachment.data, content_type=attachment.content_type or "application/octet-stream")

    def _message_fields(self, body: dict[str, Any], uploads: list[Upload], channel_id: int,
                        existing: Message | None) -> dict[str, Any]:
        """Message fields from a create or edit payload; on an edit, absent keys are left as they were."""
        fields: dict[str, Any] = {}
        if "content" in body:
            fields["content"] = body["content"] or ""
        if "components" in body:
            fields["components"] = body["components"] or []
        if "allowed_mentions" in body:
            fields["allowed_mentions"] = body["allowed_mentions"]
        if "flags" in body:
            fields["flags"] = (body["flags"] or 0) & SENDABLE_FLAGS
        if body.get("tts"):
            fields["tts"] = True
        if body.get("message_reference"):
            fields["message_reference"] = body["message_reference"]
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        new = [self.state.store_attachment(
            described.get(str(u.index), {}).get("filename") or u.filename, u.data,
            content_type=mimetypes.guess_type(u.filename)[0],
            description=described.get(str(u.index), {}).get("description"), channel_id=channel_id)
            for u in uploads]
        kept = existing.attachments if existing else []
        if "attachments" in body:
            kept = [a for a in kept if str(a.id) in described]
        if new or "attachments" in body:
            fields["attachments"] = [*kept, *new]
        if "embeds" in body:
            names = {a.filename: a for a in fields.get("attachments", kept)}
            fields["embeds"] = [_resolve_attachment_urls(e, names) for e in body["embeds"] or []]
        return fields

    async def _edit(self, message: Message, body: dict[str, Any], uploads: list[Upload]) -> dict[str, Any]:
        check_message(body, uploads, creating=False)
        fields = self._message_fields(body, uploads, message.channel_id, message)
        ephemeral = message.flags & Message.EPHEMERAL
        fields["flags"] = (fields.get("flags", message.flags) & ~Message.LOADING & ~Message.EPHEMERAL) | ephemeral
        for name, value in fields.items():
            setattr(message, name, value)
        message.edited_at = None if message.loading else utcnow()
        message.edits.append(body)
        self.state.resolve_mentions(message)
        self.state.changed()
        await self.dispatch_message("MESSAGE_UPDATE", message)
        return self.state.message_payload(message)

    async def _delete(self, message: Message) -> None:
        message.deleted = True
        self.state.changed()
        if not message.ephemeral:
            data = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id:
                data["guild_id"] = str(message.guild_id)
            await self.dispatch("MESSAGE_DELETE", data, intent=_message_intent(message))

    # -- REST: interactions and their webhooks ------------------------------------------------------------

    def _interaction(self, request: web.Request) -> Interaction:
        if "interaction_id" in request.match_info:
            interaction = self.state.interactions.get(snowflake(request.match_info["interaction_id"]))
            if interaction is None or interaction.token != request.match_info["token"]:
                raise ApiError(404, 10062, "Unknown interaction")
            return interaction
        if request.match_info["application_id"] == str(self.state.application_id):
            for interaction in self.state.interactions.values():
                if interaction.token == request.match_info["token"]:
                    return interaction
        raise ApiError(404, 10015, "Unknown Webhook")

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        body = request[BODY] or {}
        kind, data = body.get("type"), body.get("data")
        deadline = self.state.interaction_deadline
        if deadline is not None and time.monotonic() - interaction.created > deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callbacks:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if kind not in ALLOWED_CALLBACKS[interaction.type]:
            raise ApiError(400, 50035, "Invalid Form Body", {"type": f"Callback {kind} is not valid here."})
        message: Message | None = None
        if kind in (4, 5):
            fields: dict[str, Any] = {"flags": ((data or {}).get("flags") or 0) & Message.EPHEMERAL | Message.LOADING}
            if kind == 4:
                check_message(data or {}, request[UPLOADS], creating=True)
                fields = self._message_fields(data or {}, request[UPLOADS], interaction.channel.id, None)
            message = self.state.store_message(
                interaction.channel, self.state.bot, webhook_id=self.state.application_id,
                interaction_id=interaction.id, type=20 if interaction.type == APPLICATION_COMMAND else 0, **fields)
            interaction.original = message
            await self.dispatch_message("MESSAGE_CREATE", message)
        elif kind in (6, 7):
            interaction.original = message = interaction.source_message
            if kind == 7 and message is not None:
                await self._edit(message, data or {}, request[UPLOADS])
        elif kind == 8:
            check_choices((data or {}).get("choices"))
        elif kind == 9 and not {"custom_id", "title", "components"} <= set(data or {}):
            raise ApiError(400, 50035, "Invalid Form Body", {"data": "A modal needs custom_id, title, components."})
        interaction.callbacks.append(Callback(kind, data, message))
        self.state.changed()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        answer: dict[str, Any] = {"interaction": {
            "id": str(interaction.id), "type": interaction.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(message and message.ephemeral)}}
        if message is not None and kind in (4, 5, 7):
            answer["interaction"]["response_message_id"] = str(message.id)
            answer["resource"] = {"type": kind, "message": self.state.message_payload(message)}
        return json_response(answer)

    def _webhook_message(self, interaction: Interaction, message_id: str) -> Message:
        if message_id == "@original":
            message = interaction.original
        else:
            message = next((m for m in [interaction.original, *interaction.followups]
                            if m is not None and str(m.id) == message_id), None)
        if message is None or message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def post_followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        if not interaction.callbacks:
            raise ApiError(404, 10015, "Unknown Webhook")
        body, uploads = request[BODY] or {}, request[UPLOADS]
        original = interaction.original
        if original is not None and original.loading and not interaction.followups:
            # Discord: the first followup after a deferred reply fills in the "thinking..." message.
            payload = await self._edit(original, body, uploads)
            interaction.followups.append(original)
        else:
            check_message(body, uploads, creating=True)
            fields = self._message_fields(body, uploads, interaction.channel.id, None)
            message = self.state.store_message(interaction.channel, self.state.bot,
                                               webhook_id=self.state.application_id,
                                               interaction_id=interaction.id, **fields)
            interaction.followups.append(message)
            await self.dispatch_message("MESSAGE_CREATE", message)
            payload = self.state.message_payload(message)
        self.state.changed()
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(payload)
        return web.Response(status=204)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(self._interaction(request), request.match_info["message_id"])
        return json_response(self.state.message_payload(message))

    async def patch_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(self._interaction(request), request.match_info["message_id"])
        return json_response(await self._edit(message, request[BODY] or {}, request[UPLOADS]))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        await self._delete(self._webhook_message(self._interaction(request), request.match_info["message_id"]))
        return web.Response(status=204)

    # -- gateway -------------------------------------------------------------------------------------------

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        compress = query.get("compress")
        self.state.gateway_log.append({"op": "CONNECT", "path": request.path, **query})
        encoder = ENCODERS.get(compress, lambda: None)()
        if query.get("encoding", "json") != "json" or (compress is not None and encoder is None):
            return json_response({"message": "the stand-in speaks encoding=json, uncompressed or with "
                                             "zlib-stream (zstd-stream when a zstd library is installed)",
                                  "code": 0}, 400)
        ws = web.WebSocketResponse(compress=False, max_msg_size=0, autoping=True)
        await ws.prepare(request)
        connection = Connection(ws, encoder)
        if query.get("v") != "10":
            await ws.close(code=4012, message=b"Invalid API version")
            return ws
        await connection.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None,
                               "t": None})
        session: Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            session = await self._gateway_op(connection, session, frame.get("op"), frame.get("d"))
            if ws.closed:
                break
        code = ws.close_code
        self.state.gateway_log.append({"op": "CLOSED", "code": code, "by_server": connection.closed_by_server})
        if session is not None and session.connection is connection:
            session.connection = None
            if not connection.closed_by_server and code in (1000, 1001):
                self.sessions.pop(session.id, None)  # a clean close from the client ends the session
        self.state.changed()
        return ws

    async def _gateway_op(self, connection: Connection, session: Session | None, op: Any,
                          data: Any) -> Session | None:
        log_entry: dict[str, Any] = {"op": {1: "HEARTBEAT", 2: "IDENTIFY", 3: "PRESENCE_UPDATE", 6: "RESUME",
                                            8: "REQUEST_GUILD_MEMBERS"}.get(op, op)}
        self.state.gateway_log.append(log_entry)
        self.state.changed()
        if op == 1:
            await connection.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            return await self._identify(connection, session, data, log_entry)
        elif op == 6:
            return await self._resume(connection, data, log_entry)
        elif session is None:
            await self._close(connection, 4003, "Not authenticated.")
        elif op == 8:
            await self._member_chunk(session, data)
        elif op not in (3, 4):
            await self._close(connection, 4001, "Unknown opcode.")
        return session

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        connection.closed_by_server = True
        self.state.gateway_log.append({"op": "CLOSE", "code": code, "reason": reason})
        await connection.ws.close(code=code, message=reason.encode())

    async def _identify(self, connection: Connection, session: Session | None, data: Any,
                        log_entry: dict[str, Any]) -> Session | None:
        intents = int(data.get("intents", 0))
        log_entry.update(intents=intents, shard=data.get("shard"))
        if data.get("token", "").removeprefix("Bot ") != self.token:
            await self._close(connection, 4004, "Authentication failed.")
            return None
        if session is not None:
            await self._close(connection, 4005, "Already authenticated.")
            return session
        if intents & Intent.PRIVILEGED & ~self.state.privileged_intents:
            await self._close(connection, 4014, "Disallowed intent(s).")
            return None
        # A bot that identifies again will not resume its old sessions: drop those without a connection,
        # so events are not kept for a client that is gone (discord.py closes with 4000, not 1000).
        for stale in [s for s in self.sessions.values() if s.connection is None]:
            self.sessions.pop(stale.id)
        session = Session(uuid.uuid4().hex, intents, connection=connection)
        self.sessions[session.id] = session
        await session.dispatch("READY", {
            "v": 10, "user": {**self.state.bot.payload(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds],
            "session_id": session.id, "resume_gateway_url": self.resume_gateway_url, "session_type": "normal",
            "application": {"id": str(self.state.application_id), "flags": self._application_flags()},
            "private_channels": [], "relationships": [], "presences": [], "geo_ordered_rtc_regions": [],
            "guild_join_requests": [], "user_settings": {}, "auth": {},
        })
        for guild in self.state.guilds.values() if intents & Intent.GUILDS else ():
            await session.dispatch("GUILD_CREATE", guild.payload())
        self.state.changed()
        return session

    async def _resume(self, connection: Connection, data: Any, log_entry: dict[str, Any]) -> Session | None:
        log_entry.update(session_id=data.get("session_id"), seq=data.get("seq"))
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token", "").removeprefix("Bot ") != self.token:
            self.state.gateway_log.append({"op": "INVALID_SESSION"})
            await connection.send({"op": 9, "d": False, "s": None, "t": None})
            return None
        if session.connection is not None and session.connection is not connection:
            await self._close(session.connection, 4000, "Resumed elsewhere.")
        session.connection = connection
        seq = data.get("seq") or 0
        missed = [f for f in session.frames if f["s"] > seq]
        log_entry["replayed"] = [f["t"] for f in missed]
        for frame in missed:
            await connection.send(frame)
        await session.dispatch("RESUMED", {})
        self.state.changed()
        return session

    async def _member_chunk(self, session: Session, data: Any) -> None:
        guild = self.state.guilds.get(int(data["guild_id"]))
        members = list(guild.members.values()) if guild else []
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.username.lower().startswith(data["query"].lower())]
        if data.get("limit"):
            members = members[: data["limit"]]
        chunk: dict[str, Any] = {"guild_id": str(data["guild_id"]), "members": [m.payload() for m in members],
                                 "chunk_index": 0, "chunk_count": 1, "not_found": []}
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, event: str, data: Any, *, intent: int = 0) -> None:
        """Send a DISPATCH to every live session subscribed to ``intent`` (0: always sent)."""
        for session in list(self.sessions.values()):
            if not intent or session.intents & intent:
                await session.dispatch(event, data)

    async def dispatch_message(self, event: str, message: Message) -> None:
        """MESSAGE_CREATE/UPDATE as each session may see it: the content is withheld without the
        MESSAGE_CONTENT intent, except in DMs, the bot's own messages and messages that mention it."""
        if message.ephemeral:
            return
        payload = self.state.message_payload(message, gateway=True)
        hidden = {**payload, "content": "", "embeds": [], "attachments": [], "components": []}
        visible = (message.guild_id is None or message.author is self.state.bot
                   or self.state.bot in message.mentions)
        for session in list(self.sessions.values()):
            if session.intents & _message_intent(message):
                shown = visible or bool(session.intents & Intent.MESSAGE_CONTENT)
                await session.dispatch(event, payload if shown else hidden)

    # -- test side: what users and Discord do --------------------------------------------------------------

    def _live_session(self) -> Session:
        """The newest session: the connected bot, or one between a dropped connection and its RESUME."""
        if not self.sessions:
            raise RuntimeError("stand-in: no bot has identified on the gateway yet")
        return list(self.sessions.values())[-1]

    async def send_message(self, channel: Channel, author: User | Member, content: str = "", *,
                           embeds: Iterable[dict[str, Any]] = (), attachments: Iterable[tuple[str, bytes]] = (),
                           reply_to: Message | None = None) -> Message:
        """A user posts in a channel (MESSAGE_CREATE, with their member object in a guild)."""
        self._live_session()
        user = author.user if isinstance(author, Member) else author
        if channel.guild_id is not None and self.state.member_of(channel.guild_id, user) is None:
            raise LookupError(f"stand-in: {user.username} is not a member of guild {channel.guild_id}")
        files = [self.state.store_attachment(name, data, content_type=mimetypes.guess_type(name)[0],
                                             channel_id=channel.id) for name, data in attachments]
        reference = None
        if reply_to is not None:
            reference = {"message_id": str(reply_to.id), "channel_id": str(channel.id)}
            if channel.guild_id:
                reference["guild_id"] = str(channel.guild_id)
        message = self.state.store_message(channel, user, content=content, embeds=list(embeds), attachments=files,
                                           message_reference=reference, type=19 if reply_to else 0)
        await self.dispatch_message("MESSAGE_CREATE", message)
        return message

    async def send_dm(self, author: User | Member, content: str = "", **kwargs: Any) -> Message:
        user = author.user if isinstance(author, Member) else author
        return await self.send_message(self.state.dm_channel(user), user, content, **kwargs)

    async def send_interaction(self, command: str, *, user: User | Member, channel: Channel,
                               options: Mapping[str, Any] | None = None, locale: str = "en-US") -> Interaction:
        """A user runs a registered slash command, ``"name"`` or ``"group sub"``, with typed option values
        (a User/Member, Channel, Role or ``(filename, bytes)`` where the option wants one)."""
        data = self._command_data(command, channel.guild_id, dict(options or {}), focused=None)
        return await self._inject(APPLICATION_COMMAND, data, user, channel, locale=locale)

    async def autocomplete(self, command: str, *, user: User | Member, channel: Channel, focused: str, value: str,
                           options: Mapping[str, Any] | None = None) -> Interaction:
        """A user is typing ``value`` into option ``focused``; ``await`` the result for the choices."""
        data = self._command_data(command, channel.guild_id, {**(options or {}), focused: value}, focused=focused)
        return await self._inject(AUTOCOMPLETE, data, user, channel)

    async def click(self, message: Message, custom_id: str, *, user: User | Member) -> Interaction:
        """A user presses a button of a message the bot sent."""
        component = self._component(message, custom_id)
        if component["type"] != 2:
            raise TypeError(f"stand-in: {custom_id!r} is a component of type {component['type']}, not a button")
        data = {"custom_id": custom_id, "component_type": 2, "id": component.get("id", 0)}
        return await self._inject(COMPONENT, data, user, self.state.channels[message.channel_id], message)

    async def select(self, message: Message, custom_id: str, values: Iterable[str | User | Member | Role | Channel],
                     *, user: User | Member) -> Interaction:
        """A user picks ``values`` in a select menu: option values for a string select (checked against its
        options), users, members, roles or channels for the other kinds."""
        component = self._component(message, custom_id)
        kind, picked = component["type"], list(values)
        if kind not in (3, 5, 6, 7, 8):
            raise TypeError(f"stand-in: {custom_id!r} is not a select menu")
        if kind == 3:
            offered = [o["value"] for o in component.get("options", [])]
            if unknown := [v for v in picked if v not in offered]:
                raise ValueError(f"stand-in: {unknown} are not options of {custom_id!r}: {offered}")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(picked) <= high:
            raise ValueError(f"stand-in: {custom_id!r} takes {low} to {high} values, not {len(picked)}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "id": component.get("id", 0),
                                "values": [v if isinstance(v, str) else str(v.id) for v in picked]}
        if kind != 3:
            resolved: dict[str, dict[str, Any]] = {}
            for value in picked:
                self._resolve(value, message.guild_id, resolved)
            data["resolved"] = resolved
        return await self._inject(COMPONENT, data, user, self.state.channels[message.channel_id], message)

    async def submit_modal(self, shown: Interaction, values: Mapping[str, str | Iterable[str]]) -> Interaction:
        """The user fills in the modal the bot answered ``shown`` with (callback 9) and submits it:
        ``values`` maps a text input's custom_id to its text, a select's to the values picked."""
        modal = next((c.data for c in shown.callbacks if c.type == 9 and c.data), None)
        if modal is None:
            raise LookupError(f"stand-in: interaction {shown.id} was not answered with a modal")
        remaining = dict(values)

        def filled(component: dict[str, Any]) -> dict[str, Any] | None:
            custom_id = component.get("custom_id")
            if custom_id is None:
                return None  # text displays and other non-inputs
            value = remaining.pop(custom_id, None)
            if component["type"] == 4:
                if value is None and component.get("required", True):
                    raise ValueError(f"stand-in: the modal's {custom_id!r} is required")
                return {"type": 4, "custom_id": custom_id, "value": str(value or "")}
            picked = [value] if isinstance(value, str) else [str(v) for v in value or []]
            offered = [o["value"] for o in component.get("options", [])]
            if component["type"] == 3 and not set(picked) <= set(offered):
                raise ValueError(f"stand-in: {picked} are not options of {custom_id!r}: {offered}")
            return {"type": component["type"], "custom_id": custom_id, "values": picked}

        submitted: list[dict[str, Any]] = []
        for top in modal["components"]:
            if top["type"] == 1:
                submitted.append({"type": 1, "components": [f for f in map(filled, top["components"]) if f]})
            elif top["type"] == 18 and (inner := filled(top["component"])):
                submitted.append({"type": 18, "component": inner})
        if remaining:
            raise LookupError(f"stand-in: the modal has no inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": submitted}
        return await self._inject(MODAL_SUBMIT, data, shown.user, shown.channel, shown.source_message)

    def _component(self, message: Message, custom_id: str) -> dict[str, Any]:
        components = message.custom_ids()
        if custom_id not in components:
            raise LookupError(f"stand-in: message {message.id} has no component {custom_id!r}: {sorted(components)}")
        if components[custom_id].get("disabled"):
            raise RuntimeError(f"stand-in: {custom_id!r} is disabled; a user cannot use it")
        return components[custom_id]

    async def _inject(self, kind: int, data: dict[str, Any], author: User | Member, channel: Channel,
                      message: Message | None = None, *, locale: str = "en-US") -> Interaction:
        self._live_session()
        state = self.state
        user = author.user if isinstance(author, Member) else author
        interaction = Interaction(state.snowflakes.next(), new_token(), kind, user, channel, channel.guild_id, {},
                                  state, source_message=message)
        payload: dict[str, Any] = {
            "id": str(interaction.id), "application_id": str(state.application_id), "type": kind, "data": data,
            "channel_id": str(channel.id), "channel": channel.payload(), "token": interaction.token,
            "version": 1, "locale": locale, "entitlements": [], "attachment_size_limit": 10 * 1024 * 1024,
        }
        if channel.guild_id is not None:
            guild = state.guilds[channel.guild_id]
            member = guild.members.get(user.id)
            if member is None:
                raise LookupError(f"stand-in: {user.username} is not a member of {guild.name}")
            payload.update(
                guild_id=str(guild.id), guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale, context=0, authorizing_integration_owners={"0": str(guild.id)},
                member={**member.payload(), "permissions": str(guild.permissions_for(member, channel))},
                app_permissions=str(guild.permissions_for(guild.members[state.bot.id], channel)))
            payload["channel"]["permissions"] = payload["member"]["permissions"]
        else:
            payload.update(user=user.payload(), context=1, authorizing_integration_owners={"1": str(user.id)},
                           app_permissions=str(Permission.EVERYONE_DEFAULT))
        if message is not None:
            payload["message"] = state.message_payload(message)
        interaction.payload = payload
        state.interactions[interaction.id] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _command_data(self, command: str, guild_id: int | None, values: dict[str, Any],
                      focused: str | None) -> dict[str, Any]:
        root, *path = command.split()
        registered = self.state.find_command(root, guild_id)
        data: dict[str, Any] = {"id": registered["id"], "name": root, "type": 1}
        if "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        schema, holder = registered.get("options", []), data
        for name in path:
            sub = next((o for o in schema if o["name"] == name and o["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"stand-in: /{command}: no subcommand {name!r}")
            entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
            holder["options"] = [entry]
            schema, holder = sub.get("options", []), entry
        resolved: dict[str, dict[str, Any]] = {}
        holder["options"] = [self._option(option, values, focused, guild_id, resolved)
                             for option in schema if option["name"] in values]
        if unknown := set(values) - {o["name"] for o in schema}:
            raise LookupError(f"stand-in: /{command} has no option {sorted(unknown)}: {[o['name'] for o in schema]}")
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if missing and focused is None:
            raise ValueError(f"stand-in: /{command} needs {missing}")
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(self, option: dict[str, Any], values: dict[str, Any], focused: str | None, guild_id: int | None,
                resolved: dict[str, dict[str, Any]]) -> dict[str, Any]:
        name, kind, value = option["name"], option["type"], values[option["name"]]
        if name == focused:
            return {"name": name, "type": kind, "value": str(value), "focused": True}
        if kind in OPTION_TYPES:
            value = OPTION_TYPES[kind](value)
            choices = [c["value"] for c in option.get("choices", [])]
            if choices and value not in choices:
                raise ValueError(f"stand-in: {value!r} is not a choice of option {name!r}: {choices}")
            return {"name": name, "type": kind, "value": value}
        if kind == 11:
            attachment = value if isinstance(value, Attachment) else self.state.store_attachment(*value)
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.payload()
            return {"name": name, "type": kind, "value": str(attachment.id)}
        self._resolve(value, guild_id, resolved)
        return {"name": name, "type": kind, "value": str(value.id)}

    def _resolve(self, value: Any, guild_id: int | None, resolved: dict[str, dict[str, Any]]) -> None:
        guild = self.state.guilds.get(guild_id) if guild_id else None
        if isinstance(value, Member):
            value = value.user
        if isinstance(value, User):
            resolved.setdefault("users", {})[str(value.id)] = value.payload()
            if guild and (member := guild.members.get(value.id)):
                resolved.setdefault("members", {})[str(value.id)] = {
                    **member.payload(with_user=False), "permissions": str(guild.permissions_for(member))}
        elif isinstance(value, Channel):
            perms = guild.permissions_for(guild.members[self.state.bot.id], value) if guild else 0
            resolved.setdefault("channels", {})[str(value.id)] = {
                "id": str(value.id), "name": value.name, "type": value.type, "permissions": str(perms),
                "parent_id": None if value.parent_id is None else str(value.parent_id)}
        elif isinstance(value, Role) and guild and value.id in guild.roles:
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        else:
            raise TypeError(f"stand-in: cannot pass {value!r} as an option value")

    async def disconnect(self, code: int = 4000) -> None:
        """Drop the bot's gateway connection as Discord does in a restart; the session stays resumable."""
        session = self._live_session()
        if session.connection is not None:
            connection, session.connection = session.connection, None
            await self._close(connection, code, "Disconnected by the test.")

    async def request_reconnect(self) -> None:
        """Send opcode 7 RECONNECT: the client should close and RESUME."""
        session = self._live_session()
        if session.connection is not None:
            await session.connection.send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self) -> None:
        """Send opcode 9 INVALID_SESSION (not resumable): the client must IDENTIFY again."""
        session = self._live_session()
        self.sessions.pop(session.id, None)
        if session.connection is not None:
            await session.connection.send({"op": 9, "d": False, "s": None, "t": None})

    async def wait_for_gateway(self, op: str, *, count: int = 1,
                               timeout: float = 3.0) -> list[dict[str, Any]]:  # noqa: ASYNC109 - bounded waits
        """Wait until the gateway saw ``op`` (IDENTIFY, RESUME, HEARTBEAT, CLOSED...) ``count`` times."""
        def seen() -> list[dict[str, Any]] | None:
            entries = [e for e in self.state.gateway_log if e["op"] == op]
            return entries if len(entries) >= count else None

        return await self.state.wait_until(seen, timeout=timeout, what=f"{count} gateway {op}")


def _message_intent(message: Message) -> int:
    return Intent.DIRECT_MESSAGES if message.guild_id is None else Intent.GUILD_MESSAGES


def _resolve_attachment_urls(embed: dict[str, Any], attachments: Mapping[str, Attachment]) -> dict[str, Any]:
    """``attachment://chart.png`` in an embed image or thumbnail becomes the uploaded file's URL, as on Discord."""
    embed = dict(embed)
    for key in ("image", "thumbnail"):
        url = (embed.get(key) or {}).get("url", "")
        if url.startswith("attachment://") and (found := attachments.get(url.removeprefix("attachment://"))):
            embed[key] = {**embed[key], "url": found.url, "proxy_url": found.url}
    return embed


# -- what Discord refuses: the limits a renderer must respect ---------------------------------------------

COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def check_message(body: Mapping[str, Any], uploads: list[Upload], *, creating: bool) -> None:
    """Discord's documented message limits; a breach is a 400 Invalid Form Body naming the field."""
    errors: dict[str, str] = {}
    content = body.get("content") or ""
    if len(content) > 2000:
        errors["content"] = f"Must be 2000 or fewer in length ({len(content)})."
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = "Must be 10 or fewer in length."
    total = 0
    for i, embed in enumerate(embeds):
        fields = embed.get("fields") or []
        texts: list[tuple[str, str, int]] = [  # path, text, Discord's limit
            (f"embeds.{i}.title", embed.get("title") or "", 256),
            (f"embeds.{i}.description", embed.get("description") or "", 4096),
            (f"embeds.{i}.footer.text", (embed.get("footer") or {}).get("text") or "", 2048),
            (f"embeds.{i}.author.name", (embed.get("author") or {}).get("name") or "", 256),
        ]
        if len(fields) > 25:
            errors[f"embeds.{i}.fields"] = "Must be 25 or fewer in length."
        for j, item in enumerate(fields):
            texts.append((f"embeds.{i}.fields.{j}.name", item.get("name") or "", 256))
            texts.append((f"embeds.{i}.fields.{j}.value", item.get("value") or "", 1024))
            if not item.get("name") or not item.get("value"):
                errors[f"embeds.{i}.fields.{j}"] = "A field needs a name and a value."
        for path, text, limit in texts:
            total += len(text)
            if len(text) > limit:
                errors[path] = f"Must be {limit} or fewer in length ({len(text)})."
    if total > 6000:
        errors["embeds"] = f"Embed size exceeds maximum size of 6000 ({total})."
    components = body.get("components") or []
    v2 = bool((body.get("flags") or 0) & 32768)
    if v2 and (content or embeds):
        errors["content"] = "A message with IS_COMPONENTS_V2 cannot have content or embeds."
    errors.update(_component_errors(components, v2))
    allowed = body.get("allowed_mentions") or {}
    for kind in ("users", "roles"):
        if kind in allowed.get("parse", []) and allowed.get(kind):
            errors[f"allowed_mentions.{kind}"] = f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.'
    if errors:
        raise ApiError(400, 50035, "Invalid Form Body", errors)
    if creating and not (content or embeds or components or uploads or body.get("sticker_ids") or body.get("poll")):
        raise ApiError(400, 50006, "Cannot send an empty message")


def _component_errors(components: list[dict[str, Any]], v2: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not v2 and len(components) > 5:
        errors["components"] = "Must be 5 or fewer action rows."
    seen: set[str] = set()

    def walk(items: list[dict[str, Any]], path: str) -> None:
        for i, item in enumerate(items):
            here = f"{path}.{i}"
            if item.get("type") == 1:
                kinds = [c.get("type") for c in item.get("components", [])]
                selects = [k for k in kinds if k in (3, 5, 6, 7, 8)]
                if not 1 <= len(kinds) <= 5 or (selects and len(kinds) > 1):
                    errors[here] = "An action row holds 1-5 buttons or a single select."
            custom_id = item.get("custom_id")
            if custom_id is not None:
                if len(custom_id) > 100:
                    errors[f"{here}.custom_id"] = "Must be 100 or fewer in length."
                if custom_id in seen:
                    errors[f"{here}.custom_id"] = f"Duplicate custom_id {custom_id!r}."
                seen.add(custom_id)
            if item.get("type") == 2:
                if len(item.get("label") or "") > 80:
                    errors[f"{here}.label"] = "Must be 80 or fewer in length."
                style, url = item.get("style"), item.get("url")
                if style == 5:
                    valid = bool(url) and not custom_id
                elif style == 6:
                    valid = bool(item.get("sku_id")) and not custom_id and not url
                else:
                    valid = bool(custom_id) and not url
                if not valid:
                    errors[here] = "A link button has a url, a premium button a sku_id, others a custom_id."
            if item.get("type") == 3 and not 1 <= len(item.get("options", [])) <= 25:
                errors[f"{here}.options"] = "A select offers 1 to 25 options."
            walk(item.get("components", []), f"{here}.components")
            if item.get("accessory"):
                walk([item["accessory"]], f"{here}.accessory")

    walk(components, "components")
    return errors


def check_choices(choices: Any) -> None:
    if not isinstance(choices, list) or len(choices) > 25:
        raise ApiError(400, 50035, "Invalid Form Body", {"data.choices": "Must be a list of 25 or fewer."})
    for i, choice in enumerate(choices):
        if not 1 <= len(str(choice.get("name", ""))) <= 100 or len(str(choice.get("value", ""))) > 100:
            raise ApiError(400, 50035, "Invalid Form Body",
                           {f"data.choices.{i}": "A choice name is 1-100 characters, a value at most 100."})


def check_commands(commands: Any) -> None:
    """What a bulk overwrite must satisfy: names, descriptions, option order and counts."""
    if not isinstance(commands, list):
        raise ApiError(400, 50035, "Invalid Form Body", {"_": "Expected a list of commands."})
    errors: dict[str, str] = {}
    names = [(c.get("name"), c.get("type", 1)) for c in commands]
    if len(names) != len(set(names)):
        errors["_"] = "Application command names must be unique per type."
    for i, command in enumerate(commands):
        slash = command.get("type", 1) == 1
        errors.update(_command_errors(command, f"{i}", slash=slash))
    if errors:
        raise ApiError(400, 50035, "Invalid Form Body", errors)


def _command_errors(item: Mapping[str, Any], path: str, *, slash: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = item.get("name") or ""
    if slash and (not COMMAND_NAME.match(name) or name != name.lower()):
        errors[f"{path}.name"] = f"Invalid name {name!r}: 1-32 lowercase letters, digits, - or _."
    if slash and not 1 <= len(item.get("description") or "") <= 100:
        errors[f"{path}.description"] = "Must be between 1 and 100 in length."
    options = item.get("options") or []
    if len(options) > 25:
        errors[f"{path}.options"] = "Must be 25 or fewer in length."
    required = [bool(o.get("required")) for o in options]
    if required != sorted(required, reverse=True):
        errors[f"{path}.options"] = "Required options must be placed before non-required options."
    for j, option in enumerate(options):
        if len(option.get("choices") or []) > 25:
            errors[f"{path}.options.{j}.choices"] = "Must be 25 or fewer in length."
        if option.get("choices") and option.get("autocomplete"):
            errors[f"{path}.options.{j}"] = "Autocomplete and choices are mutually exclusive."
        errors.update(_command_errors(option, f"{path}.options.{j}", slash=True))
    return errors
