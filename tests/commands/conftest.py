"""Fixtures for command tests: the demo catalog (imported once through the real importer), its name index, and
``ask``, which answers one line as a reader would see it (today fixed, so periods and avails are stable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from commands.context import CommandContext, Reader
from commands.dispatch import Handler, dispatch
from commands.reply import Reply
from storage.db import SessionFactory
from storage.name_index import NameIndex
from storage.name_loading import load_name_index

TODAY = dt.date(2026, 11, 26)
Ask = Callable[..., Awaitable[Reply]]


@pytest.fixture
async def demo_names(demo_session_factory: SessionFactory) -> NameIndex:
    """The name index of the demo catalog (``demo_session_factory``, from tests/conftest.py)."""
    async with demo_session_factory() as session:
        return await load_name_index(session)


@pytest.fixture
def ask(demo_session_factory: SessionFactory, demo_names: NameIndex) -> Ask:
    async def answer(line: str, *, locale: str = "en", may_see_fees: bool = False,
                     today: dt.date = TODAY) -> Reply:
        async with demo_session_factory() as session:
            context = CommandContext(session, Reader(locale=locale, may_see_fees=may_see_fees), demo_names, today)
            return await dispatch(line, context)

    return answer


@pytest.fixture
def run_handler(demo_session_factory: SessionFactory, demo_names: NameIndex) -> Callable[[Handler], Ask]:
    """Binds one command's handler to the demo catalog: ``deals = run_handler(run_deals)``."""
    def bind(handler: Handler) -> Ask:
        async def answer(text: str, *, locale: str = "en", may_see_fees: bool = False) -> Reply:
            async with demo_session_factory() as session:
                reader = Reader(locale=locale, may_see_fees=may_see_fees)
                return await handler(text, CommandContext(session, reader, demo_names, TODAY))

        return answer

    return bind
