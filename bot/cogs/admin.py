"""Admin commands: sync the slash commands, import catalog files from chat attachments.

Only the owners (``SLATE_OWNER_IDS`` and the application's owner) and the admin roles may run them, in the
team's server: ``cog_check`` holds for prefix commands and ``interaction_check`` for slash commands, so a
Discord-side permission change cannot open them up. Syncing is never automatic (RoboDanny's ``?sync``):
Discord rate-limits it, and the command list should change when an admin says so.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only, require_admin
from bot.views import send_reply
from commands.limits import HEADLINE_MAX, clip, rows_into_pages
from commands.reply import Reply, ReplyKind
from storage.importing import ImportFailed, import_files

if TYPE_CHECKING:
    from bot.app import SlateBot

log = logging.getLogger(__name__)

IMPORTABLE = (".csv", ".xlsx")
MAX_IMPORT_BYTES = 25 * 1024 * 1024  # per file: Discord's own attachment limit for most servers
Context = commands.Context["SlateBot"]


def _refused(lines: Sequence[str]) -> Reply:
    return Reply(headline="Nothing was imported", kind=ReplyKind.PROBLEM, pages=rows_into_pages("Problems", lines))


def check_attachments(attachments: Sequence[discord.Attachment]) -> list[str]:
    """What is wrong with the files before reading them: kind, size, and two files with one name."""
    if not attachments:
        return ["Attach the CSV or .xlsx files to import (titles.csv, deals.csv, ... or one workbook)."]
    problems: list[str] = []
    seen: set[str] = set()
    for attachment in attachments:
        name = Path(attachment.filename).name
        if Path(name).suffix.lower() not in IMPORTABLE:
            problems.append(f"{name}: only CSV or .xlsx files can be imported")
        if attachment.size > MAX_IMPORT_BYTES:
            problems.append(f"{name}: {attachment.size:,} bytes is more than {MAX_IMPORT_BYTES:,}")
        if name.casefold() in seen:
            problems.append(f"{name}: two files have this name; the name says what the file holds")
        seen.add(name.casefold())
    return problems


class AdminCog(commands.Cog, name="Admin"):
    def __init__(self, bot: SlateBot) -> None:
        self.bot = bot
        self._import_lock = asyncio.Lock()  # one import at a time: each is one transaction, then a re-index

    async def cog_check(self, ctx: Context) -> bool:  # type: ignore[override]
        return await admin_only(ctx)

    async def interaction_check(self, interaction: discord.Interaction[SlateBot], /) -> bool:  # type: ignore[override]
        return await require_admin(self.bot, interaction.user, interaction.guild)

    # --- sync ---------------------------------------------------------------------------------------------

    @commands.command(name="sync", usage="[global|clear]",
                      help="Publish the slash commands: to this server at once (no argument), to every server"
                           " (global), or remove this server's copies (clear).")
    async def sync(self, ctx: Context, scope: Literal["global", "clear"] | None = None) -> None:
        tree = self.bot.tree
        assert ctx.guild is not None  # noqa: S101 - admin_only refuses DMs
        try:
            if scope == "global":
                synced = await tree.sync()
                where = "to every server (Discord may take a few minutes to show changes)"
            elif scope == "clear":
                tree.clear_commands(guild=ctx.guild)
                synced = await tree.sync(guild=ctx.guild)
                where = "to this server: its own copies are removed, the global ones stay"
            else:
                tree.copy_global_to(guild=ctx.guild)
                synced = await tree.sync(guild=ctx.guild)
                where = "to this server"
        except discord.HTTPException as error:
            log.warning("sync %s refused by Discord: %s", scope or "guild", error)
            await ctx.send(f"Discord refused the sync: {error.text or error.status}.",
                           allowed_mentions=discord.AllowedMentions.none())
            return
        log.info("%s synced %d slash commands %s", ctx.author.id, len(synced), scope or f"to {ctx.guild.id}")
        await ctx.send(f"Synced {len(synced)} slash commands {where}.",
                       allowed_mentions=discord.AllowedMentions.none())

    # --- import -------------------------------------------------------------------------------------------

    async def import_attachments(self, attachments: Sequence[discord.Attachment], dry_run: bool) -> Reply:
        """The same import as ``slate import``: validated whole, all or nothing, then the names re-indexed."""
        if problems := check_attachments(attachments):
            return _refused(problems)
        async with self._import_lock:
            with tempfile.TemporaryDirectory(prefix="slate-import-") as folder:
                paths = []
                for attachment in attachments:
                    path = Path(folder) / Path(attachment.filename).name
                    await asyncio.to_thread(path.write_bytes, await attachment.read())
                    paths.append(path)
                try:
                    report = await import_files(self.bot.catalog.sessions, paths, dry_run=dry_run)
                except ImportFailed as failure:
                    lines = failure.lines()
                    return Reply(headline=clip(f"Nothing was imported: {lines[0]}", HEADLINE_MAX),
                                 kind=ReplyKind.PROBLEM, pages=rows_into_pages("Problems", lines[1:]))
            if not dry_run:
                await self.bot.catalog.refresh_names()
                # "immediately" schedules post now, not at the next tick. Found by name, not isinstance:
                # load_extension executes the cog's module afresh, so its class is not the one imported here.
                tick_soon = getattr(self.bot.get_cog("Announcements"), "tick_soon", None)
                if callable(tick_soon):
                    tick_soon()
        lines = report.lines()
        return Reply(headline=clip(lines[0], HEADLINE_MAX), pages=rows_into_pages("Changes", lines[1:]))

    @commands.command(name="import", usage="(attach the files) [check]",
                      help="Load catalog files attached to the message: validated whole, all or nothing."
                           " Add `check` to validate without writing.")
    async def import_prefix(self, ctx: Context, mode: Literal["check"] | None = None) -> None:
        async with ctx.typing():
            reply = await self.import_attachments(ctx.message.attachments, dry_run=mode == "check")
        await send_reply(ctx, reply, author_id=ctx.author.id, show_confidential=False)

    @app_commands.guild_only()
    @app_commands.command(name="import", description="Load catalog files (CSV or .xlsx): validated whole,"
                                                     " all or nothing")
    @app_commands.describe(file="A CSV or .xlsx file: titles, companies, deals, ratings, ...",
                           file2="Another file", file3="Another file", file4="Another file", file5="Another file",
                           dry_run="Only check the files and say what would change; write nothing")
    async def import_slash(self, interaction: discord.Interaction[SlateBot], file: discord.Attachment,
                           file2: discord.Attachment | None = None, file3: discord.Attachment | None = None,
                           file4: discord.Attachment | None = None, file5: discord.Attachment | None = None,
                           dry_run: bool = False) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        files = [f for f in (file, file2, file3, file4, file5) if f is not None]
        reply = await self.import_attachments(files, dry_run=dry_run)
        log.info("user %s imported %s: %s", interaction.user.id, [f.filename for f in files], reply.headline)
        await send_reply(interaction, reply, author_id=interaction.user.id, show_confidential=False,
                         ephemeral=True)


async def setup(bot: SlateBot) -> None:
    await bot.add_cog(AdminCog(bot))
