"""Pointing the real discord.py client at the stand-in, and running it for the length of a test.

discord.py 2.7 has no public setting for Discord's address. It builds every REST URL, including interaction
callbacks and webhook followups, from the class attribute ``discord.http.Route.BASE``, read each time a
``Route`` is made; and a plain ``Client`` opens its first gateway connection to the class attribute
``DiscordWebSocket.DEFAULT_GATEWAY`` (it does *not* ask GET /gateway/bot; only ``AutoShardedClient`` does),
and again after an INVALID_SESSION. Resumes go to ``resume_gateway_url`` from READY, which the stand-in
sets to itself. So swapping those two class attributes for the test's duration, and restoring them after,
is the smallest change that reaches every request. The alternatives need TLS: a resolver or proxy that sends
discord.com to 127.0.0.1 would have to present a certificate for discord.com.

Both attributes are process-wide: one stand-in at a time per process (pytest-xdist workers are processes,
so they are fine). ``loopback_only`` adds a trace that refuses any request to a host other than 127.0.0.1,
so a URL the patch missed fails the test instead of reaching the internet.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any, TypeVar

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import HOST, DiscordStandin

ClientT = TypeVar("ClientT", bound=discord.Client)

# Options a client under test should be built with. guild_ready_timeout: discord.py waits this long after
# the last GUILD_CREATE before on_ready (2 s by default); the stand-in sends every guild at once.
CLIENT_OPTIONS: dict[str, Any] = {"guild_ready_timeout": 0.05}


class OffLoopbackRequest(RuntimeError):
    """A request for a host other than 127.0.0.1 while the stand-in is in use."""


@contextlib.contextmanager
def pointed_at(standin: DiscordStandin) -> Iterator[None]:
    """Make discord.py talk to ``standin`` instead of Discord until the block ends."""
    if Route.BASE != "https://discord.com/api/v10" or str(DiscordWebSocket.DEFAULT_GATEWAY) != (
            "wss://gateway.discord.gg/"):
        raise RuntimeError(f"discord.py already points at {Route.BASE}: one stand-in at a time per process")
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = standin.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


def loopback_only() -> aiohttp.TraceConfig:
    """An aiohttp trace (``Client(http_trace=...)``) that fails any request not for 127.0.0.1."""

    async def check(session: aiohttp.ClientSession, context: SimpleNamespace,
                    params: aiohttp.TraceRequestStartParams) -> None:
        if params.url.host != HOST:
            raise OffLoopbackRequest(f"refused {params.method} {params.url}: tests talk only to {HOST}")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(check)
    return trace


@contextlib.asynccontextmanager
async def running(client: ClientT, standin: DiscordStandin, *, token: str | None = None,
                  timeout: float = 5.0) -> AsyncIterator[ClientT]:  # noqa: ASYNC109 - bounds start and stop
    """Log ``client`` in to the stand-in, connect, wait for on_ready, and close it at the end.

    The client's setup_hook runs during login, as in production. A login or connection failure is raised
    here rather than left in a background task. ``token`` defaults to the one the stand-in accepts.
    """
    if client.http.http_trace is None:
        client.http.http_trace = loopback_only()
    try:
        await asyncio.wait_for(client.login(token or standin.token), timeout)
    except BaseException:
        await client.close()
        raise
    connecting = asyncio.create_task(client.connect(), name="standin-client-connect")
    ready = asyncio.create_task(client.wait_until_ready())
    failure: BaseException | None = None
    try:
        done, _ = await asyncio.wait({connecting, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if connecting in done:
            connecting.result()  # raises what stopped the connection
            raise RuntimeError("the client stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"the client was not ready within {timeout} s (built with CLIENT_OPTIONS?)")
        yield client
    finally:
        ready.cancel()
        await client.close()
        await asyncio.wait({connecting}, timeout=timeout)
        if not connecting.done():
            connecting.cancel()
        elif not connecting.cancelled():
            failure = connecting.exception()
    if failure is not None:  # the test passed, but the connection died on the way
        raise failure
