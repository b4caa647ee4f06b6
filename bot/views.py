"""Buttons and selects on replies, safe by default: only the person who asked may use them, they time out,
and they disable themselves when done (RoboDanny's paginator and disambiguation, discord.py
``examples/views``). ``send_reply`` is how every command, prefix or slash, puts a reply in front of a reader.

These views are not persistent: after a restart their buttons answer "This interaction failed" until they
would have timed out anyway, which is why they time out within minutes. Scheduled posts carry no view.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.ext import commands

from bot.render import Rendered, page_count, render_reply
from commands.limits import clip
from commands.reply import Candidate, Reply, ReplyKind

log = logging.getLogger(__name__)

NOT_YOURS_PAGES = "Only the person who asked can turn these pages."
NOT_YOURS_CHOICE = "Only the person who asked can pick from this list."
WENT_WRONG = "Something went wrong answering that; the details are in the log."
SELECT_OPTIONS_MAX = 25
SELECT_TEXT_MAX = 100  # option label and description, placeholder: 150, kept to 100 too

OnChoice = Callable[[discord.Interaction[Any], Candidate], Awaitable[None]]
Destination = discord.abc.Messageable | discord.Interaction[Any]


class AuthorOnlyView(discord.ui.View):
    """A view only ``author_id`` may use; on timeout it disables its items on ``self.message``.

    The caller sets ``message`` after sending (``send_reply`` does).
    """

    refusal = "Only the person who asked can use this."

    def __init__(self, *, author_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.author_id = author_id
        self.message: discord.Message | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id == self.author_id:
            return True
        await interaction.response.send_message(self.refusal, ephemeral=True)
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is None:
            return
        try:
            await self.message.edit(view=self)
        except discord.HTTPException as error:  # deleted meanwhile, or an interaction token past 15 minutes
            log.debug("could not disable the %s on message %s: %s", type(self).__name__, self.message.id, error)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception,
                       item: discord.ui.Item[Any], /) -> None:
        log.error("error in %s (item %r) for user %s", type(self).__name__, item, interaction.user.id,
                  exc_info=error)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(WENT_WRONG, ephemeral=True)
            else:
                await interaction.response.send_message(WENT_WRONG, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell user %s that the %s failed", interaction.user.id, type(self).__name__)


class PaginatorView(AuthorOnlyView):
    """First, previous, page n/N, next, last over the pages of one reply; the message is edited in place."""

    refusal = NOT_YOURS_PAGES

    def __init__(self, reply: Reply, *, author_id: int, show_confidential: bool, timeout: float = 180) -> None:
        super().__init__(author_id=author_id, timeout=timeout)
        self.reply = reply
        self.show_confidential = show_confidential
        self.page = 0
        self.pages = page_count(reply, show_confidential=show_confidential)
        self._update_buttons()

    def render(self) -> Rendered:
        return render_reply(self.reply, page=self.page, show_confidential=self.show_confidential)

    def _update_buttons(self) -> None:
        at_start, at_end = self.page == 0, self.page >= self.pages - 1
        self.first.disabled = self.previous.disabled = at_start
        self.next.disabled = self.last.disabled = at_end
        self.indicator.label = f"{self.page + 1}/{self.pages}"

    async def show(self, interaction: discord.Interaction[Any], page: int) -> None:
        self.page = max(0, min(page, self.pages - 1))
        self._update_buttons()
        # The chart attachment stays on the message; its embed keeps pointing at it by attachment://name.
        await interaction.response.edit_message(embeds=self.render().embeds, view=self)

    @discord.ui.button(label="«", style=discord.ButtonStyle.secondary, custom_id="pager:first")
    async def first(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PaginatorView]) -> None:
        await self.show(interaction, 0)

    @discord.ui.button(label="‹", style=discord.ButtonStyle.primary, custom_id="pager:previous")
    async def previous(self, interaction: discord.Interaction[Any],
                       button: discord.ui.Button[PaginatorView]) -> None:
        await self.show(interaction, self.page - 1)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, custom_id="pager:page", disabled=True)
    async def indicator(self, interaction: discord.Interaction[Any],
                        button: discord.ui.Button[PaginatorView]) -> None:
        await interaction.response.defer()  # disabled: Discord never sends a press of it

    @discord.ui.button(label="›", style=discord.ButtonStyle.primary, custom_id="pager:next")
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PaginatorView]) -> None:
        await self.show(interaction, self.page + 1)

    @discord.ui.button(label="»", style=discord.ButtonStyle.secondary, custom_id="pager:last")
    async def last(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PaginatorView]) -> None:
        await self.show(interaction, self.pages - 1)

    def disable_all(self) -> None:
        super().disable_all()
        self.indicator.disabled = True


class CandidateSelect(discord.ui.Select["ChoiceView"]):
    def __init__(self, candidates: tuple[Candidate, ...]) -> None:
        options = []
        for number, candidate in enumerate(candidates[:SELECT_OPTIONS_MAX]):
            label = clip(candidate.label, SELECT_TEXT_MAX)
            rest = candidate.label[len(label) - 1:].strip() if label != candidate.label else ""
            options.append(discord.SelectOption(label=label, value=str(number),
                                                description=clip(f"…{rest}", SELECT_TEXT_MAX) if rest else None))
        super().__init__(custom_id="choice:candidate", placeholder="Pick the one you meant…", options=options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None  # noqa: S101 - discord.py calls callbacks only for items of a view
        await self.view.choose(interaction, int(self.values[0]))


class ChoiceView(AuthorOnlyView):
    """A select of the candidates of a CHOICE or NOT_FOUND reply; the author's pick goes to ``on_choice``.

    The pick is acknowledged at once by editing the choice message (select disabled, the pick shown), so
    ``on_choice`` finds the interaction already answered and sends its answer as a followup
    (``send_reply(interaction, ...)`` does that by itself), however slow the command.
    """

    refusal = NOT_YOURS_CHOICE

    def __init__(self, reply: Reply, *, author_id: int, on_choice: OnChoice, timeout: float = 120) -> None:
        if not reply.candidates:
            raise ValueError(f"a ChoiceView needs a reply with candidates: {reply.headline!r}")
        super().__init__(author_id=author_id, timeout=timeout)
        self.candidates = reply.candidates[:SELECT_OPTIONS_MAX]
        self.on_choice = on_choice
        self.chosen: Candidate | None = None
        self.select = CandidateSelect(self.candidates)
        self.add_item(self.select)

    async def choose(self, interaction: discord.Interaction[Any], index: int) -> None:
        candidate = self.candidates[index]
        self.chosen = candidate
        self.stop()
        self.disable_all()
        for option in self.select.options:
            option.default = option.value == str(index)
        await interaction.response.edit_message(view=self)
        await self.on_choice(interaction, candidate)


async def send_reply(destination: Destination, reply: Reply, *, author_id: int, show_confidential: bool,
                     ephemeral: bool = False, on_choice: OnChoice | None = None) -> discord.Message | None:
    """Render page 0 of ``reply`` and send it with the view it needs; mentions are never allowed.

    ``destination`` is a channel, user, ``commands.Context`` (prefix or hybrid) or an interaction (its
    response, or a followup once it is answered or deferred: then the defer decided whether it is
    ephemeral). Confidential fields are shown only when ``show_confidential`` and the place is private
    (an ephemeral interaction answer or a DM); anywhere else they are held back with a note, and a warning
    is logged. Returns the message sent (None only when Discord did not say which it was).
    """
    if show_confidential and not await _is_private(destination, ephemeral):
        log.warning("confidential fields of %r held back: the destination is not private", reply.headline)
        show_confidential = False
    rendered = render_reply(reply, show_confidential=show_confidential)
    view: AuthorOnlyView | None = None
    if on_choice is not None and reply.candidates and reply.kind in (ReplyKind.CHOICE, ReplyKind.NOT_FOUND):
        view = ChoiceView(reply, author_id=author_id, on_choice=on_choice)
    elif page_count(reply, show_confidential=show_confidential) > 1:
        view = PaginatorView(reply, author_id=author_id, show_confidential=show_confidential)

    kwargs: dict[str, Any] = {"embeds": rendered.embeds, "allowed_mentions": discord.AllowedMentions.none()}
    if rendered.content:
        kwargs["content"] = rendered.content
    if rendered.files:
        kwargs["files"] = rendered.files
    if view is not None:
        kwargs["view"] = view

    message: discord.Message | None
    if isinstance(destination, discord.Interaction):
        message = await _send_to_interaction(destination, ephemeral, kwargs)
    elif isinstance(destination, commands.Context):
        message = await destination.send(ephemeral=ephemeral, **kwargs)
    else:
        message = await destination.send(**kwargs)
    if view is not None:
        view.message = message
    return message


async def _send_to_interaction(interaction: discord.Interaction[Any], ephemeral: bool,
                               kwargs: dict[str, Any]) -> discord.Message | None:
    if interaction.response.is_done():
        return await interaction.followup.send(ephemeral=ephemeral, wait=True, **kwargs)
    sent = await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
    if isinstance(sent.resource, discord.InteractionMessage):
        return sent.resource
    try:
        return await interaction.original_response()
    except discord.HTTPException:
        log.warning("could not fetch the answer to interaction %s; its view will not disable on timeout",
                    interaction.id)
        return None


async def _is_private(destination: Destination, ephemeral: bool) -> bool:
    """Only this reader will see it: an ephemeral interaction answer, or a direct message.

    After a defer, Discord fills the "thinking" message with the first followup and the defer decided
    whether it is ephemeral, so the deferred message itself is asked.
    """
    if isinstance(destination, commands.Context):
        if destination.interaction is None:
            return isinstance(destination.channel, discord.DMChannel)
        destination = destination.interaction
    if isinstance(destination, discord.Interaction):
        if isinstance(destination.channel, discord.DMChannel):
            return True
        if destination.response.type is discord.InteractionResponseType.deferred_channel_message:
            try:
                return (await destination.original_response()).flags.ephemeral
            except discord.HTTPException:
                return False
        return ephemeral
    return isinstance(destination, discord.User | discord.Member | discord.DMChannel)
