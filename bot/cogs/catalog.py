"""The lookup commands (title, ratings, deals, ...), each one hybrid command generated from the registry.

``commands.dispatch.COMMANDS`` is the product's list of commands; this cog turns every entry into one
hybrid command, so ``!ratings miracle chile`` and ``/ratings`` are one definition, and a command added to
the registry appears here with no code. What the registry cannot know lives in the small tables below:
which slash options (with autocomplete) a command offers, which commands are slow, expensive or show deal
data.

Each command has the signature ``(ctx, *, query: str = "", <options>: str | None = None,
private: bool = False)``. discord.py accepts several keyword-only parameters on a hybrid command: on the
prefix path the first (``query``) consumes the rest of the message and the others keep their defaults
(``Command._parse_arguments`` stops at the first keyword-only one); on the slash path each is an option.
Because a hybrid command takes its options from its callback's signature, and ``HybridAppCommand``
rewrites and deletes ``__signature__`` on the callback, a signature cannot be generated per command; so
each combination of options is one small method below (``PROFILES``), shared by the commands that use it.

A slash answer composes one line: the free text, then the picked autocomplete values (record references
such as ``title:42``, which ``commands.split`` reads anywhere in a line) or whatever was typed over the
suggestions, which the dispatcher resolves like any typed words.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.catalog import OpenCatalog
from bot.checks import guild_only, may_see_fees
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.views import Destination, send_reply
from commands.autocomplete import autocomplete
from commands.context import CommandContext, Reader
from commands.dispatch import COMMANDS, Command, dispatch
from commands.limits import clip
from commands.reply import Candidate, Reply, problem

if TYPE_CHECKING:
    from bot.app import SlateBot

log = logging.getLogger(__name__)

Context = commands.Context["SlateBot"]

# Slash options per command, beyond `query` and `private`. A command missing here gets those two only.
COMMAND_OPTIONS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "ratings": ("title", "territory", "channel"),
    "deals": ("title", "territory", "licensee"),
    "avails": ("title", "territory"),
    "buyer": ("licensee",),
    "top": ("territory",),
    "press": ("title",),
    "chart": ("title", "territory", "channel"),
}
SLOW_COMMANDS = frozenset({"chart"})  # defer first: the answer may take longer than Discord's 3 s
EXPENSIVE_COMMANDS = frozenset({"chart", "press"})  # per-user cooldown (SLATE_COOLDOWN_SECONDS)
DEAL_DATA_COMMANDS = frozenset({"deals", "avails", "buyer"})  # only in the team's server, never in DMs
DESCRIPTION_MAX = 100

DESCRIPTIONS = {
    "query": "What to look up, in words (the options below pick exact records)",
    "title": "A title: pick one as you type (year and origin are shown), or type a name",
    "territory": "A territory or a group of territories (LATAM, MENA, ...)",
    "channel": "A channel or platform that aired it",
    "licensee": "A licensee: broadcaster, pay channel, platform or distributor",
    "private": "Answer only to you (with fees and terms, if your role may see them)",
}
DB_DOWN = ("The catalog database is not answering right now; nothing was changed. Try again in a minute,"
           " and tell an admin if it goes on.")


# --- autocomplete: from the in-memory name index, never a database round trip per keystroke ------------


def _choices(interaction: discord.Interaction[Any], kind: str, current: str) -> list[app_commands.Choice[str]]:
    names = interaction.client.catalog.names  # the index swapped in by the last import, held in memory
    return [app_commands.Choice(name=c.name, value=c.value) for c in autocomplete(names, kind, current[:100])]


async def complete_title(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return _choices(interaction, "title", current)


async def complete_territory(interaction: discord.Interaction[Any],
                             current: str) -> list[app_commands.Choice[str]]:
    return _choices(interaction, "territory", current)


async def complete_company(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
    return _choices(interaction, "company", current)


# --- answering ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asking:
    """Who asked, where and how privately: this decides whether fees may show, and where they go."""

    user: discord.User | discord.Member
    in_guild: bool
    slash: bool
    private: bool  # an ephemeral slash answer
    locale: str


def compose_line(name: str, query: str, picked: Iterable[str | None]) -> str:
    """``ratings`` + ``miracle`` + (``territory:CL``,) -> ``ratings miracle territory:CL``."""
    words = [query.strip(), *(value.strip() for value in picked if value and value.strip())]
    return " ".join([name, *(word for word in words if word)])


def reader_locale(interaction: discord.Interaction[Any] | None, default: str) -> str:
    """The reader's language for numbers and dates: their Discord client's, when Slate speaks it."""
    if interaction is None:
        return default
    language = str(interaction.locale).partition("-")[0].lower()
    return language if language in SUPPORTED_LOCALES else default


async def ask_catalog(catalog: OpenCatalog, line: str, reader: Reader, *,
                      hold_back_fees: bool = False) -> tuple[Reply, Reply | None]:
    """One line, one session (as ``bot.console.answer``): the reply to show, and the full reply with fees
    when ``hold_back_fees`` and there were fees in it (it is then asked again without, in the same session).

    A database outage becomes a sentence; anything else unexpected goes on to the error funnel.
    """
    try:
        async with catalog.sessions() as session:
            context = CommandContext(session=session, reader=reader, names=catalog.names)
            reply = await dispatch(line, context)
            if hold_back_fees and reply.has_confidential:
                without = replace(context, reader=replace(reader, may_see_fees=False))
                return await dispatch(line, without), reply
            return reply, None
    except (OperationalError, DBAPIError, OSError) as error:
        log.warning("database unreachable while answering %r: %s", line, error)
        return problem(DB_DOWN), None


async def _say(destination: Destination, text: str) -> None:
    none = discord.AllowedMentions.none()
    if isinstance(destination, discord.Interaction):
        if destination.response.is_done():
            await destination.followup.send(text, ephemeral=True, allowed_mentions=none)
        else:
            await destination.response.send_message(text, ephemeral=True, allowed_mentions=none)
    elif isinstance(destination, commands.Context):
        await destination.send(text, ephemeral=True, allowed_mentions=none)
    else:
        await destination.send(text, allowed_mentions=none)


class CatalogCog(commands.Cog, name="Catalog"):
    """Answers the catalog's commands; its subclass built by ``catalog_cog`` holds one command per entry."""

    def __init__(self, bot: SlateBot) -> None:
        self.bot = bot

    async def answer(self, asking: Asking, line: str, destination: Destination) -> None:
        """Ask the catalog and show the answer, keeping fees to sales roles in private places.

        Fees show in an ephemeral slash answer to a sales role. A prefix command in a channel answers
        without them and, for a sales role, sends the full answer by DM. Everywhere else: no fees, and
        the command's own note says how to see them.
        """
        settings: Settings = self.bot.settings
        sales = may_see_fees(asking.user, settings)
        fees_here = sales and asking.private
        fees_by_dm = sales and asking.in_guild and not asking.slash
        reader = Reader(locale=asking.locale, may_see_fees=fees_here or fees_by_dm, prefix=settings.command_prefix)
        shown, full = await ask_catalog(self.bot.catalog, line, reader, hold_back_fees=fees_by_dm)

        async def on_choice(interaction: discord.Interaction[Any], candidate: Candidate) -> None:
            await self.answer(asking, candidate.query, interaction)

        await send_reply(destination, shown, author_id=asking.user.id, show_confidential=fees_here,
                         ephemeral=asking.private, on_choice=on_choice)
        if full is not None:
            try:
                await send_reply(asking.user, full, author_id=asking.user.id, show_confidential=True)
            except discord.Forbidden:
                await _say(destination, "I could not send you the fees by direct message (your DMs are closed"
                                        " to this server); use the slash command with `private` instead.")

    async def ask(self, ctx: Context, query: str, picked: Iterable[str | None], private: bool) -> None:
        assert ctx.command is not None  # noqa: S101 - set by discord.py before the callback runs
        slash = ctx.interaction is not None
        private = private and slash
        if ctx.command.name in SLOW_COMMANDS:
            if slash:
                await ctx.defer(ephemeral=private)
            else:
                await ctx.typing()
        asking = Asking(user=ctx.author, in_guild=ctx.guild is not None, slash=slash, private=private,
                        locale=reader_locale(ctx.interaction, self.bot.settings.default_locale))
        await self.answer(asking, compose_line(ctx.command.name, query, picked), ctx)

    # One method per combination of slash options (see the module docstring); the table picks one.

    @app_commands.describe(query=DESCRIPTIONS["query"], private=DESCRIPTIONS["private"])
    async def _ask_text(self, ctx: Context, *, query: str = "", private: bool = False) -> None:
        await self.ask(ctx, query, (), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], title=DESCRIPTIONS["title"], private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(title=complete_title)
    async def _ask_title(self, ctx: Context, *, query: str = "", title: str | None = None,
                         private: bool = False) -> None:
        await self.ask(ctx, query, (title,), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], territory=DESCRIPTIONS["territory"],
                           private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(territory=complete_territory)
    async def _ask_territory(self, ctx: Context, *, query: str = "", territory: str | None = None,
                             private: bool = False) -> None:
        await self.ask(ctx, query, (territory,), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], licensee=DESCRIPTIONS["licensee"],
                           private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(licensee=complete_company)
    async def _ask_licensee(self, ctx: Context, *, query: str = "", licensee: str | None = None,
                            private: bool = False) -> None:
        await self.ask(ctx, query, (licensee,), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], title=DESCRIPTIONS["title"],
                           territory=DESCRIPTIONS["territory"], private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(title=complete_title, territory=complete_territory)
    async def _ask_title_territory(self, ctx: Context, *, query: str = "", title: str | None = None,
                                   territory: str | None = None, private: bool = False) -> None:
        await self.ask(ctx, query, (title, territory), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], title=DESCRIPTIONS["title"],
                           territory=DESCRIPTIONS["territory"], channel=DESCRIPTIONS["channel"],
                           private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(title=complete_title, territory=complete_territory, channel=complete_company)
    async def _ask_title_territory_channel(self, ctx: Context, *, query: str = "", title: str | None = None,
                                           territory: str | None = None, channel: str | None = None,
                                           private: bool = False) -> None:
        await self.ask(ctx, query, (title, territory, channel), private)

    @app_commands.describe(query=DESCRIPTIONS["query"], title=DESCRIPTIONS["title"],
                           territory=DESCRIPTIONS["territory"], licensee=DESCRIPTIONS["licensee"],
                           private=DESCRIPTIONS["private"])
    @app_commands.autocomplete(title=complete_title, territory=complete_territory, licensee=complete_company)
    async def _ask_title_territory_licensee(self, ctx: Context, *, query: str = "", title: str | None = None,
                                            territory: str | None = None, licensee: str | None = None,
                                            private: bool = False) -> None:
        await self.ask(ctx, query, (title, territory, licensee), private)


Callback = Callable[..., Coroutine[Any, Any, None]]
PROFILES: dict[tuple[str, ...], Callback] = {
    (): CatalogCog._ask_text,
    ("title",): CatalogCog._ask_title,
    ("territory",): CatalogCog._ask_territory,
    ("licensee",): CatalogCog._ask_licensee,
    ("title", "territory"): CatalogCog._ask_title_territory,
    ("title", "territory", "channel"): CatalogCog._ask_title_territory_channel,
    ("title", "territory", "licensee"): CatalogCog._ask_title_territory_licensee,
}


def build_command(name: str, entry: Command, settings: Settings) -> commands.HybridCommand[Any, ..., Any]:
    """One registry entry as a hybrid command, with its checks and cooldown."""
    options = COMMAND_OPTIONS.get(name, ())
    callback = PROFILES.get(options)
    if callback is None:
        raise LookupError(f"no slash profile for the options {options} of {name!r}; add one to PROFILES")
    kwargs: dict[str, Any] = {
        "name": name,
        "description": clip(entry.help.summary, DESCRIPTION_MAX),
        "help": entry.help.summary,
        "usage": entry.help.usage.partition(" ")[2],
        "checks": [guild_only] if name in DEAL_DATA_COMMANDS else [],
    }
    if name in EXPENSIVE_COMMANDS and settings.cooldown_seconds > 0:
        kwargs["cooldown"] = commands.CooldownMapping(commands.Cooldown(1, settings.cooldown_seconds),
                                                      commands.BucketType.user)
    command: commands.HybridCommand[Any, ..., Any] = commands.HybridCommand(callback, **kwargs)
    if name in DEAL_DATA_COMMANDS and command.app_command is not None:
        command.app_command.guild_only = True  # a hint for Discord's menu; the check above is what holds
    return command


def catalog_cog(bot: SlateBot, registry: Mapping[str, Command] = COMMANDS) -> CatalogCog:
    """A ``CatalogCog`` subclass with one command per registry entry, built through ``commands.CogMeta``
    like any cog written by hand (so checks, bindings and unloading all work the ordinary way)."""
    namespace: dict[str, Any] = {f"{name}_command": build_command(name, entry, bot.settings)
                                 for name, entry in registry.items()}
    namespace["__module__"] = __name__  # so unloading this extension removes the cog
    cog_class = types.new_class("CatalogCommands", (CatalogCog,), {"name": "Catalog"},
                                lambda body: body.update(namespace))
    return cog_class(bot)


async def setup(bot: SlateBot) -> None:
    await bot.add_cog(catalog_cog(bot))
