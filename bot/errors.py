"""The one error funnel: every failure on the prefix and slash paths becomes one short sentence.

``on_command_error`` (prefix and hybrid commands) and the tree's ``on_error`` (app commands,
autocomplete) both end here. A domain error says its own sentence, a refused check says what is missing,
a cooldown says when to come back, and anything unexpected gets an apology in chat and its traceback in
the log. A user never sees a traceback and never sees silence (python-discord/bot ``error_handler.py``).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import NotTheTeam, Refusal
from commands.dispatch import COMMANDS
from commands.errors import CommandError as DomainError
from commands.help import closest_command

if TYPE_CHECKING:
    from bot.app import SlateBot

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong answering that; it has been logged. Try again, or ask an admin."


def _unwrap(error: BaseException) -> BaseException:
    """The error a command really raised, from inside discord.py's invoke and hybrid wrappers."""
    while isinstance(error, commands.CommandInvokeError | commands.HybridCommandError
                     | app_commands.CommandInvokeError):
        error = error.original
    return error


def sentence_for(error: BaseException, *, prefix: str, command: str | None) -> str | None:
    """The sentence a user sees for ``error``; None when it is unexpected (apologize and log)."""
    error = _unwrap(error)
    usage = f" `{prefix}help {command}` shows how." if command else ""
    if isinstance(error, Refusal):
        return error.sentence
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, commands.CommandOnCooldown | app_commands.CommandOnCooldown):
        return f"Try again in {max(1, math.ceil(error.retry_after))} s."
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return "That works only in the team's server, not in direct messages."
    if isinstance(error, commands.MissingRequiredAttachment):
        return "Attach the files to that message (CSV or .xlsx)."
    if isinstance(error, commands.UserInputError):
        return f"I could not read that: {error}{usage}"
    if isinstance(error, commands.MaxConcurrencyReached):
        return "That is already running; try again when it has finished."
    if isinstance(error, commands.DisabledCommand):
        return "That command is switched off right now."
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not read the value {str(error.value)[:100]!r}.{usage}"
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command has changed since Discord last heard of it; an admin should run the sync again."
    return None


async def _say(ctx: commands.Context[Any], sentence: str) -> None:
    try:
        # Private on the slash path (ctx.send makes it a followup after a defer); in the channel otherwise.
        await ctx.send(sentence, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException:
        log.warning("could not tell %s: %s", ctx.author.id, sentence, exc_info=True)


async def on_command_error(ctx: commands.Context[Any], error: commands.CommandError) -> None:
    """Prefix and hybrid commands: the sentence, or an apology and the traceback in the log."""
    bot: SlateBot = ctx.bot
    if isinstance(error, commands.CommandNotFound):
        # "!!!" or another bot's command is not a question for Slate; a near miss gets a hint.
        typed = ctx.invoked_with or ""
        guess = closest_command(typed, [c.help for c in COMMANDS.values()]) if typed else None
        if guess and await bot.gate.allows(ctx.guild, ctx.author):
            await _say(ctx, f"I don't know the command {discord.utils.escape_markdown(typed)}."
                            f" Did you mean `{ctx.clean_prefix}{guess}`?")
        return
    name = ctx.command.qualified_name if ctx.command else None
    sentence = sentence_for(error, prefix=bot.settings.command_prefix, command=name)
    if sentence is None:
        log.error("command %s by user %s in %s raised", name, ctx.author.id,
                  ctx.guild.id if ctx.guild else "DM", exc_info=_unwrap(error))
        sentence = APOLOGY
    elif not isinstance(_unwrap(error), NotTheTeam | DomainError):
        log.info("command %s by user %s refused: %s", name, ctx.author.id, sentence)
    await _say(ctx, sentence)


async def on_app_command_error(interaction: discord.Interaction[Any],
                               error: app_commands.AppCommandError) -> None:
    """App commands and autocomplete outside the hybrid path (which reports to on_command_error)."""
    bot: SlateBot = interaction.client  # type: ignore[assignment]
    name = interaction.command.qualified_name if interaction.command else None
    sentence = sentence_for(error, prefix=bot.settings.command_prefix, command=name)
    if sentence is None:
        log.error("app command %s by user %s raised", name, interaction.user.id, exc_info=_unwrap(error))
        sentence = APOLOGY
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif interaction.response.is_done():
            await interaction.followup.send(sentence, ephemeral=True,
                                            allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(sentence, ephemeral=True,
                                                    allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException:
        log.warning("could not tell %s: %s", interaction.user.id, sentence, exc_info=True)


class SlateTree(app_commands.CommandTree["SlateBot"]):
    """The bot's command tree: the team gate before any app command or autocomplete, and the funnel after."""

    async def interaction_check(self, interaction: discord.Interaction[SlateBot]) -> bool:
        if await self.client.gate.allows(interaction.guild, interaction.user):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])  # no catalog names for strangers
            return False
        raise NotTheTeam

    async def on_error(self, interaction: discord.Interaction[SlateBot],
                       error: app_commands.AppCommandError) -> None:
        await on_app_command_error(interaction, error)
