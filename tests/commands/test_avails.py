"""``avails`` on the demo catalog (storage/demo/deals.csv): real deals, specific outcomes, both engines.

The rule itself is tested as a table in test_avails_rule.py; these tests check the question is asked right
(title, group expansion, media, window) and the answer names what blocks and until when.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from reply_checks import all_fields, assert_fits, text_of

from commands.avails import NEVER_FREE, run_avails
from commands.dispatch import Handler
from commands.reply import Reply, ReplyKind

MIRACLE = "Miracle in Cell No. 7 turkish"
Run = Callable[..., Awaitable[Reply]]


@pytest.fixture
def ask_avails(run_handler: Callable[[Handler], Run]) -> Run:
    return run_handler(run_avails)



def field(reply: Reply, name: str) -> str:
    """The value of the named field and its continuations."""
    return "\n".join(f.value for f in all_fields(reply) if f.name in (name, f"{name} (cont.)"))




async def test_blocked_names_the_deal_and_the_day_it_frees_up(ask_avails: Run) -> None:
    reply = await ask_avails("Small Miracles mexico free tv")
    assert reply.headline == (
        "Avails of Small Miracles (2023, Türkiye, series) in Mexico for Free TV, from November 26, 2026"
    )
    assert reply.body == "Free TV: not available."
    assert field(reply, "Free TV") == (
        "❌ Mexico: Canal Aurora (IM-2024-003, active): exclusive, August 1, 2024 – July 31, 2027;"
        " free from August 1, 2027"
    )


async def test_a_window_after_the_deal_ends_is_available(ask_avails: Run) -> None:
    last_day = await ask_avails("Small Miracles mexico free tv 2027-07-31")
    assert last_day.body == "Free TV: not available."
    after = await ask_avails("Small Miracles mexico free tv 2027-08-01")
    assert after.headline.endswith("for Free TV, from August 1, 2027")
    assert after.body == "Free TV: available."
    assert field(after, "✅ Available") == "Free TV: available, no deal pending."
    year = await ask_avails("Small Miracles mexico free tv 2028")
    assert year.headline.endswith("January 1, 2028 – December 31, 2028")
    assert year.body == "Free TV: available."


async def test_a_non_exclusive_deal_does_not_block(ask_avails: Run) -> None:
    reply = await ask_avails(f"{MIRACLE} mexico svod")  # IM-2025-031: Vista Play, LATAM SVOD, non-exclusive
    assert reply.body == "SVOD: available."
    assert "IM-2025-031" not in text_of(reply)
    hearts = await ask_avails("Hearts of Istanbul mexico free tv")  # IM-2024-131 non-exclusive, IM-2020-130 expired
    assert hearts.body == "Free TV: available."


async def test_cancelled_deals_do_not_block(ask_avails: Run) -> None:
    reply = await ask_avails("Hearts of Istanbul argentina free tv 2025-01-01")  # IM-2024-133 cancelled
    assert reply.body == "Free TV: available."
    assert "IM-2024-133" not in text_of(reply)


async def test_a_group_expands_and_is_summarised_by_outcome(ask_avails: Run) -> None:
    reply = await ask_avails(f"{MIRACLE} latam free tv")
    assert reply.body == "Free TV: available in 13 of 20, blocked in 7."
    lines = field(reply, "Free TV").splitlines()
    assert lines[0].startswith("✅ Available in 13 of 20: Argentina, Bolivia, Brazil")
    blocked = [line for line in lines if line.startswith("❌")]
    assert len(blocked) == 7
    assert ("❌ Mexico: Imagen TV (IM-M7-001, signed): exclusivity not stated, no term stated;"
            f" {NEVER_FREE}") in blocked
    assert any("Chile: Canal 13 (IM-M7-002" in line for line in blocked)
    assert "“Exclusivity not stated” is counted as exclusive: check the contract before selling." in reply.notes
    whole = await ask_avails("Small Miracles latam svod")
    assert whole.body == "SVOD: blocked in all 20."
    assert field(whole, "SVOD") == (
        "❌ LATAM (20 territories): Vista Play (IM-2024-004, active): exclusive, August 1, 2025 – July 31, 2027;"
        " free from August 1, 2027"
    )


async def test_several_rights_at_once(ask_avails: Run) -> None:
    reply = await ask_avails("Small Miracles mexico")  # every right
    assert reply.body == (
        "Free TV, SVOD: not available. Pay TV, AVOD, TVOD/EST, FAST, Theatrical, Non-theatrical: available."
    )
    assert "IM-2024-003" in field(reply, "Free TV")
    assert "IM-2024-004" in field(reply, "SVOD")  # the holdback of IM-2024-003 ended 2025-07-31
    assert field(reply, "✅ Available") == (
        "Pay TV, AVOD, TVOD/EST, FAST, Theatrical, Non-theatrical: available, no deal pending."
    )
    two = await ask_avails("Small Miracles latam free tv svod")
    assert two.body == "Free TV: available in 19 of 20, blocked in 1. SVOD: blocked in all 20."


async def test_holdback_then_a_deal_taking_over(ask_avails: Run) -> None:
    # IM-2025-080 (free TV, Germany) holds SVOD back until 2026-08-31; IM-2026-083 (DACH SVOD) starts 2026-09-01.
    reply = await ask_avails("The Lighthouse Keeper's Daughter germany svod 2026-06-01")
    assert field(reply, "SVOD") == (
        "❌ Germany: Rheinwelle TV (IM-2025-080, active): holdback of its Free TV deal, September 1, 2025 –"
        " August 31, 2026; Alpenstrom (IM-2026-083, active): exclusive, September 1, 2026 – August 31, 2028;"
        " free from September 1, 2028"
    )


async def test_pending_deals_warn_without_blocking(ask_avails: Run) -> None:
    reply = await ask_avails(f"{MIRACLE} spain free tv 2027-01-01")
    assert reply.body == "Free TV: available (a deal is pending)."
    assert field(reply, "Free TV").splitlines() == [
        "✅ Available",
        "⚠️ Spain: Onda Azul TV (IM-2026-044, negotiating): exclusive, January 1, 2027 – December 31, 2029;"
        " would block if signed",
    ]


async def test_no_fees_even_for_readers_who_may_see_them(ask_avails: Run) -> None:
    for query in (f"{MIRACLE} latam", "Small Miracles mexico", f"{MIRACLE} spain 2027-01-01"):
        reply = await ask_avails(query, may_see_fees=True)
        assert not reply.has_confidential
        text = text_of(reply)
        for secret in ("USD", "EUR", "180,000", "35,000", "Buyer asks"):
            assert secret not in text


async def test_the_question_needs_a_title_and_territories(ask_avails: Run) -> None:
    empty = await ask_avails("")
    assert empty.kind is ReplyKind.PROBLEM
    no_title = await ask_avails("spain svod")
    assert no_title.kind is ReplyKind.PROBLEM
    assert "`!avails Miracle in Cell No. 7 turkish spain svod`" in no_title.headline
    no_place = await ask_avails(MIRACLE)
    assert no_place.kind is ReplyKind.PROBLEM
    assert no_place.headline.startswith("Which territories? e.g. `!avails Miracle in Cell No. 7 (2019, TR) spain svod`")
    unknown = await ask_avails("zzqqx spain")
    assert unknown.kind is ReplyKind.NOT_FOUND
    nowhere = await ask_avails("Small Miracles narnia svod")
    assert nowhere.kind is ReplyKind.NOT_FOUND
    assert nowhere.headline.startswith("No territory is called “narnia”")


async def test_ambiguous_title_keeps_the_rest_of_the_question(ask_avails: Run) -> None:
    reply = await ask_avails("miracle spain svod")
    assert reply.kind is ReplyKind.CHOICE
    turkish = next(c for c in reply.candidates if c.label == "Miracle in Cell No. 7 (2019, Türkiye, film)")
    assert turkish.query == "!avails Miracle in Cell No. 7 (2019, TR) svod spain"
    picked = await ask_avails(turkish.query.removeprefix("!avails "))
    assert picked.headline == (
        "Avails of Miracle in Cell No. 7 (2019, Türkiye, film) in Spain for SVOD, from November 26, 2026"
    )
    assert picked.body == "SVOD: available."


async def test_answers_fit_the_limits(ask_avails: Run) -> None:
    for query in (f"{MIRACLE} latam", "Small Miracles Western Europe", "Paper Kites Western Europe",
                  "Bitter Orange cee", "Iron Bride mena 2027"):
        reply = await ask_avails(query)
        assert reply.kind is ReplyKind.ANSWER, query
        assert_fits(reply)
