"""``buyer``: what a licensee bought and how its titles did on its channels, on the demo catalog, both engines."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from reply_checks import all_fields, assert_fits, text_of

from commands.buyer import run_buyer
from commands.deals import FEES_NOTE
from commands.dispatch import Handler
from commands.reply import Reply, ReplyKind

Run = Callable[..., Awaitable[Reply]]


@pytest.fixture
def buyer(run_handler: Callable[[Handler], Run]) -> Run:
    return run_handler(run_buyer)





async def test_imagen_bought_miracle_and_its_press_release_figures(buyer: Run) -> None:
    reply = await buyer("imagen")
    assert reply.kind is ReplyKind.ANSWER
    assert reply.headline == "Imagen TV (broadcaster, Mexico)"
    assert reply.body == "Bought 1 deal for 1 title; audience figures for 1 title on its channels."
    fields = {f.name: f.value for f in all_fields(reply)}
    assert fields["Bought"] == (
        "Miracle in Cell No. 7 (2019, Türkiye, film) · Mexico · Free TV, exclusivity not stated"
        " · term not stated · Signed (IM-M7-001)"
    )
    assert fields["On air: Miracle in Cell No. 7 (2019, Türkiye, film)"].splitlines() == [
        "Mexico · Imagen TV · date not stated · Prime time: 3.1 million viewers, share 19%"
        " — #1 in prime time (topped the prime-time charts)",
        "Mexico · Imagen TV · date not stated · Prime time: rating 5.45% (Households)"
        " — Most successful movie in Imagen TV's broadcast history",
    ]
    assert reply.sources == ("Inter Medya press release",)


async def test_figures_in_the_readers_locale(buyer: Run) -> None:
    reply = await buyer("imagen", locale="es")
    text = text_of(reply)
    assert "3,1 millones viewers" in text
    assert "rating 5,45\u00a0%" in text  # Babel puts a no-break space before the sign in Spanish


async def test_fees_only_for_readers_who_may_see_them(buyer: Run) -> None:
    public = await buyer("onda azul")
    assert not public.has_confidential
    assert FEES_NOTE in public.notes
    for secret in ("EUR", "95,000", "Signed on", "Buyer asks"):
        assert secret not in text_of(public)
    private = await buyer("onda azul", may_see_fees=True)
    terms = next(f for f in all_fields(private) if f.name == "Fees and terms")
    assert terms.confidential
    assert "IM-2025-010: Fee: EUR 95,000 · Signed on: December 2, 2024" in terms.value.splitlines()
    assert "EUR" not in text_of(private, confidential=False)
    assert FEES_NOTE not in private.notes


async def test_bought_titles_and_best_figures_first(buyer: Run) -> None:
    reply = await buyer("onda azul")
    bought = next(f for f in all_fields(reply) if f.name == "Bought").value.splitlines()
    assert [line.rsplit("(", 1)[1].rstrip(")") for line in bought] == [
        "IM-2025-010", "IM-2024-070", "IM-2026-162", "IM-2026-044", "IM-2019-200"]
    on_air = [f for f in all_fields(reply) if f.name.startswith("On air: ")]
    assert [f.name for f in on_air] == ["On air: Şahika's Secret (2024, Türkiye, series)",
                                        "On air: Small Miracles (2023, Türkiye, series)"]
    first = on_air[0].value.splitlines()
    assert first[0].startswith("Spain · Onda Azul TV · March 25, 2025 · Tuesday prime time · episode 12")
    assert first[-1] == "… and 14 more figures (ratings command)"


async def test_ambiguous_not_found_and_empty(buyer: Run) -> None:
    canal = await buyer("canal")
    assert canal.kind is ReplyKind.CHOICE
    assert "!buyer Canal 13" in [c.query for c in canal.candidates]
    missing = await buyer("zzqqx")
    assert missing.kind is ReplyKind.NOT_FOUND
    empty = await buyer("  ")
    assert empty.kind is ReplyKind.PROBLEM
    assert "!buyer" in empty.headline


async def test_answers_fit_the_limits(buyer: Run) -> None:
    for name in ("vista play", "onda azul", "rheinwelle", "nakheel", "alpenstrom"):
        for may_see_fees in (False, True):
            reply = await buyer(name, may_see_fees=may_see_fees)
            assert reply.kind is ReplyKind.ANSWER, name
            assert_fits(reply)
