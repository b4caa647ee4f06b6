"""``deals``: by title, territory, group and licensee, status words, confidential fees, ambiguity and paging.

Run on the demo catalog (storage/demo/deals.csv) on SQLite and PostgreSQL, through the handler itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import pytest
from reply_checks import all_fields, assert_fits, text_of

import commands.deals
from commands.deals import FEES_NOTE, DealWording, IndexWording, fit, run_deals
from commands.dispatch import Handler
from commands.reply import Field, Reply, ReplyKind
from storage.deals import DealFact, DealFacts, DealTitle, deal_facts
from storage.name_index import NameIndex, Record

MIRACLE = "Miracle in Cell No. 7 turkish"
Run = Callable[..., Awaitable[Reply]]


@pytest.fixture
def deals(run_handler: Callable[[Handler], Run]) -> Run:
    return run_handler(run_deals)




def refs_in_order(reply: Reply) -> list[str]:
    return [f.value.splitlines()[0].split(" · ")[1] for f in all_fields(reply) if not f.confidential]



async def test_deals_of_a_title_in_reading_order(deals: Run) -> None:
    reply = await deals(MIRACLE)
    assert reply.kind is ReplyKind.ANSWER
    assert reply.headline == "11 deals for Miracle in Cell No. 7 (2019, Türkiye, film)"
    assert reply.body == "9 active or signed, 1 negotiating or offered, 1 expired or cancelled."
    refs = refs_in_order(reply)
    assert len(refs) == 11
    # In force first (newest start first, then no start), then negotiating, then history.
    assert refs[0] == "IM-2025-031"
    assert set(refs[1:9]) == {f"IM-M7-00{n}" for n in range(1, 9)}
    assert refs[9:] == ["IM-2026-044", "IM-2024-012"]
    vista = all_fields(reply)[0]
    assert vista.name == "Vista Play"  # the title is in the headline, not repeated on each deal
    assert vista.value.splitlines() == [
        "Active · IM-2025-031",
        "Territories: LATAM (20 territories)",
        "Media: SVOD · non-exclusive",
        "Term: March 1, 2025 – February 28, 2027",
        "Owner: Selin Aydın · Source: sample data",
    ]
    imagen = next(f for f in all_fields(reply) if f.name == "Imagen TV")
    assert "Media: Free TV · exclusivity not stated" in imagen.value
    assert "Term: term not stated" in imagen.value
    onda = next(f for f in all_fields(reply) if f.name == "Onda Azul TV")
    assert "Term: January 1, 2027 – December 31, 2029 · 3 runs" in onda.value


async def test_deals_in_a_territory_include_group_wide_deals(deals: Run) -> None:
    reply = await deals("mexico")
    assert reply.headline == "16 deals in Mexico"
    refs = refs_in_order(reply)
    assert {"IM-M7-001", "IM-2025-031", "IM-2024-003", "IM-2026-050"} <= set(refs)
    assert "IM-2026-044" not in refs  # Spain
    holdback = next(f for f in all_fields(reply) if "IM-2024-003" in f.value)
    assert holdback.name == "Small Miracles (2023, Türkiye, series) — Canal Aurora"
    assert "holdback until July 31, 2025" in holdback.value
    statuses = [f.value.split(" · ")[0] for f in all_fields(reply)]
    ranks = [{"Active": 0, "Signed": 0, "Offered": 1, "Negotiating": 1}.get(s, 2) for s in statuses]
    assert ranks == sorted(ranks)


async def test_deals_in_a_group_and_with_status_words(deals: Run) -> None:
    latam = await deals("latam")
    refs = set(refs_in_order(latam))
    assert {"IM-M7-002", "IM-2025-031", "IM-2024-034"} <= refs
    assert "IM-2026-044" not in refs
    active = await deals("latam active")
    assert active.headline == "14 deals in LATAM (active)"
    assert all(f.value.startswith("Active · ") for f in all_fields(active))
    expired = await deals("expired spain")
    assert expired.headline == "6 deals in Spain (expired)"
    filler = await deals("in spain")  # "in" alone is no title (and India is not meant)
    assert filler.headline == "17 deals in Spain"
    assert not filler.notes[:-1]


async def test_deals_with_a_licensee_and_combined(deals: Run) -> None:
    imagen = await deals("imagen tv")
    assert imagen.headline == "1 deal with Imagen TV"
    assert refs_in_order(imagen) == ["IM-M7-001"]
    assert all_fields(imagen)[0].name == "Miracle in Cell No. 7 (2019, Türkiye, film) — Imagen TV"
    both = await deals(f"{MIRACLE} mexico")
    assert both.headline == "2 deals for Miracle in Cell No. 7 (2019, Türkiye, film) in Mexico"
    assert refs_in_order(both) == ["IM-2025-031", "IM-M7-001"]
    none = await deals("vista play negotiating")
    assert none.kind is ReplyKind.ANSWER
    assert none.headline == "No deals with Vista Play (negotiating)"


async def test_fees_absent_when_the_reader_may_not_see_them(deals: Run) -> None:
    for query in (MIRACLE, "mexico", "latam", "imagen tv"):
        reply = await deals(query)
        text = text_of(reply)
        assert not reply.has_confidential
        for secret in ("USD", "EUR", "60,000", "60000", "Signed on", "January 20, 2025", "Notes:",
                       "Premiered on Imagen TV"):
            assert secret not in text, (query, secret)
        assert FEES_NOTE in reply.notes


async def test_fees_only_in_confidential_fields_for_readers_who_may_see_them(deals: Run) -> None:
    reply = await deals(MIRACLE, may_see_fees=True)
    assert reply.has_confidential
    assert FEES_NOTE not in reply.notes
    fields = all_fields(reply)
    terms = fields[fields.index(next(f for f in fields if f.name == "Vista Play")) + 1]
    assert terms.confidential
    assert terms.name == "Fee and terms — IM-2025-031"
    assert terms.value.splitlines() == ["Fee: USD 60,000", "Signed on: January 20, 2025",
                                        "Notes: Non-exclusive; does not touch the free-TV licences"]
    public = text_of(reply, confidential=False)
    for secret in ("USD", "EUR", "60,000", "Signed on", "Notes:"):
        assert secret not in public
    euro = await deals(MIRACLE, may_see_fees=True, locale="es")
    assert "Fee: EUR 35.000" in text_of(euro)
    assert "Fee: USD 60.000" in text_of(euro)


async def test_ambiguous_title_offers_lines_that_answer(deals: Run) -> None:
    reply = await deals("miracle mexico")
    assert reply.kind is ReplyKind.CHOICE
    turkish = next(c for c in reply.candidates if c.label == "Miracle in Cell No. 7 (2019, Türkiye, film)")
    assert turkish.query == "!deals Miracle in Cell No. 7 (2019, TR) mexico"
    picked = await deals(turkish.query.removeprefix("!deals "))
    assert picked.headline == "2 deals for Miracle in Cell No. 7 (2019, Türkiye, film) in Mexico"


async def test_nothing_found_and_nothing_asked(deals: Run) -> None:
    missing = await deals("zzqqx")
    assert missing.kind is ReplyKind.NOT_FOUND
    assert "zzqqx" in missing.headline
    for empty in ("", "active"):
        reply = await deals(empty)
        assert reply.kind is ReplyKind.PROBLEM
        assert "!deals" in reply.headline


async def test_long_lists_page_within_the_limits_with_terms_beside_their_deal(deals: Run) -> None:
    reply = await deals("mexico", may_see_fees=True)
    assert len(reply.pages) >= 2
    assert not reply.fields
    assert_fits(reply)
    for page in reply.pages:
        for position, field in enumerate(page.fields):
            if field.confidential:
                assert position > 0
                assert not page.fields[position - 1].confidential
                ref = field.name.removeprefix("Fee and terms — ")
                assert ref in page.fields[position - 1].value
    for query in (MIRACLE, "latam", "imagen tv", "Western Europe"):
        for may_see_fees in (False, True):
            assert_fits(await deals(query, may_see_fees=may_see_fees))


async def test_a_list_past_the_limit_says_how_to_narrow_it(deals: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    async def first_two(session: Any, **filters: Any) -> DealFacts:
        return await deal_facts(session, **{**filters, "limit": 2})

    monkeypatch.setattr(commands.deals, "deal_facts", first_two)
    reply = await deals("latam")
    assert reply.headline.startswith("2+ deals in LATAM")
    assert len(refs_in_order(reply)) == 2
    assert any(note.startswith("Only the first 2 deals are shown (in force first, newest first): add a status")
               for note in reply.notes)


def test_fit_keeps_blocks_whole_and_pages_by_fields_and_characters() -> None:
    small = [[Field(f"deal {n}", "x" * 10), Field(f"terms {n}", "y", confidential=True)] for n in range(30)]
    fields, pages = fit(small)
    assert not fields
    assert [len(p.fields) for p in pages] == [24, 24, 12]
    big = [[Field(f"deal {n}", "x" * 1000)] for n in range(8)]
    _, pages = fit(big)
    assert all(sum(len(f.value) for f in p.fields) <= 3500 for p in pages)
    one, none = fit([[Field("a", "b")]])
    assert one == (Field("a", "b"),)
    assert none == ()


def _index(title_name: str) -> NameIndex:
    records = [Record("title", 1, title_name, year=2019, origin="TR", category="film"),
               Record("territory", "MX", "Mexico"), Record("territory", "ES", "Spain"),
               Record("group", 1, "Iberia", members=("ES", "PT")), Record("territory", "PT", "Portugal")]
    return NameIndex.build(records, [])


def _deal(deal_id: int, codes: tuple[str, ...]) -> DealFact:
    return DealFact(deal_id, f"D-{deal_id}", DealTitle(1, "From the row", 2019), "Imagen TV", codes, ("free_tv",),
                    True, None, None, None, None, "active", None, None, None, None, None, None)


def test_territory_lists_and_titles_are_worded_once_per_name_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept across replies while the index is the same; a new index (after an import) words them afresh."""
    monkeypatch.setattr(commands.deals, "INDEX_WORDING", IndexWording())
    calls: list[tuple[str, ...]] = []
    worded = commands.deals.territories_text

    def counted(codes: Iterable[str], *args: Any) -> str:
        calls.append(tuple(codes))
        return worded(codes, *args)

    monkeypatch.setattr(commands.deals, "territories_text", counted)
    before = _index("Miracle in Cell No. 7")
    first = DealWording(before, "en")
    assert first.territories(("ES", "MX", "PT")) == "Iberia (2 territories), Mexico"
    assert first.title(_deal(1, ("MX",)).title) == "Miracle in Cell No. 7 (2019, TR, film)"
    again = DealWording(before, "es")
    assert again.territories(("ES", "MX", "PT")) == "Iberia (2 territories), Mexico"
    assert calls == [("ES", "MX", "PT")]
    after = _index("Miracle in Cell Number 7")
    renamed = DealWording(after, "en")
    assert renamed.title(_deal(1, ("MX",)).title) == "Miracle in Cell Number 7 (2019, TR, film)"
    assert renamed.territories(("ES", "MX", "PT")) == "Iberia (2 territories), Mexico"
    assert len(calls) == 2
    # A title the index does not know yet is worded from the deal's row, and not kept for the index.
    unknown = DealTitle(2, "Not Indexed Yet", 2026)
    assert renamed.title(unknown) == "Not Indexed Yet (2026)"
    _, titles = commands.deals.INDEX_WORDING.of(after)
    assert list(titles) == [1]


def test_kept_wording_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = IndexWording()
    monkeypatch.setattr(commands.deals, "INDEX_WORDING", kept)
    monkeypatch.setattr(kept, "KEPT", 2)
    index = _index("Miracle in Cell No. 7")
    wording = DealWording(index, "en")
    lists = [("MX",), ("ES",), ("PT",), ("ES", "PT")]
    assert [wording.territories(codes) for codes in lists] == ["Mexico", "Spain", "Portugal", "Iberia (2 territories)"]
    territories, _ = kept.of(index)
    assert list(territories) == [("PT",), ("ES", "PT")]
