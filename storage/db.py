"""Engines and sessions: one place that knows how to connect to SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, wraps
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

from sqlalchemy import BindParameter, Executable, Integer, String, bindparam, event
from sqlalchemy.engine import Row, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from storage.sqlite_connection import prefetching_creator

# commands/ type their session parameter with this alias and never import SQLAlchemy themselves.
CatalogSession = AsyncSession
SessionFactory = async_sessionmaker[AsyncSession]

MEMORY_URL = "sqlite+aiosqlite://"

# Values per ``IN (...)`` when a query looks up many keys or ids: well under SQLite's and asyncpg's limits on
# bound parameters, however many are asked for.
IN_LIST_SIZE = 500

# Statements ``keep_statements`` keeps per query function: a territory's list is about 30 KB of objects,
# LATAM's 400 KB.
STATEMENTS_KEPT = 64

T = TypeVar("T")
P = ParamSpec("P")


def keep_statements(worth_keeping: Callable[P, bool]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a function that builds a statement: the questions ``worth_keeping`` picks, those a catalog is
    asked again and again (a territory, a group) and the costly ones (a group's union of twenty ordered
    walks: 4 ms of Python, longer than SQLite takes to run it), get theirs built once and kept (the last
    ``STATEMENTS_KEPT``; statements hold no session or connection); the rest build theirs each time.
    Keeping every question's would churn: a stream of different titles pushes kept statements out, and each
    is a web of reference cycles only a full garbage collection frees, which then stalls a lookup for
    50-100 ms."""

    def decorate(build: Callable[P, T]) -> Callable[P, T]:
        kept = cast("Callable[P, T]", lru_cache(maxsize=STATEMENTS_KEPT)(build))  # arguments must be hashable

        @wraps(build)
        def statement(*args: P.args, **kwargs: P.kwargs) -> T:
            return kept(*args, **kwargs) if worth_keeping(*args, **kwargs) else build(*args, **kwargs)

        return statement

    return decorate


# A question about one territory alone (a territory's list, its deals, its board) is asked with one statement
# for every territory: built for the code ``ANY_TERRITORY`` (no territory's), which its filters write as a
# parameter (``territory_value``), it is given the territory as it runs. Kept per territory, each
# territory's first ask built its statements (1-2 ms), and every ask ran a statement object other than the
# one SQLAlchemy had compiled, whose result columns it matched to it again (``column_rows``).
ANY_TERRITORY = "?"
TERRITORY_PARAMETER = "territory"


def territory_value(code: str) -> str | BindParameter[str]:
    """What a filter on one territory compares with: the code itself, or for ``ANY_TERRITORY`` the parameter
    the statement is given when it runs (no default: a statement run without it fails rather than finding
    nothing)."""
    return bindparam(TERRITORY_PARAMETER, type_=String) if code == ANY_TERRITORY else code


def one_territory(codes: frozenset[str] | None) -> tuple[frozenset[str] | None, dict[str, str]]:
    """The territories a kept statement is built for, and the parameters it runs with: ``ANY_TERRITORY`` and
    the code for one territory, the territories themselves (and no parameter) otherwise."""
    if codes is not None and len(codes) == 1:
        return frozenset({ANY_TERRITORY}), {TERRITORY_PARAMETER: next(iter(codes))}
    return codes, {}


class KeptId(NamedTuple):
    """One record's id, as a kept statement takes it: a question about one title (its deals, its avails in a
    group, its figures, its card) or one company (a licensee's deals, a channel's figures) is asked with one
    statement for every record, built for ``ANY_ID`` (no record's id), which its filters write as the
    parameter ``name`` (``value``), and given the id as it runs (``one``). Built afresh, a title's deals or
    figures took 0.85 ms of Python an ask, its card 1.5 ms and a buyer's two statements about 1 ms (an
    avails question's whole SQL took less), and a statement kept per record would churn."""

    name: str

    def value(self, record_id: int) -> int | BindParameter[int]:
        """What a filter on the id compares with: the id itself, or for ``ANY_ID`` the parameter the statement
        is given when it runs (no default, as ``territory_value``)."""
        return bindparam(self.name, type_=Integer) if record_id == ANY_ID else record_id

    def one(self, record_id: int) -> tuple[int, dict[str, Any]]:
        """The id a kept statement is built for (``ANY_ID``), and the parameters it runs with (``one_territory``'s
        twin for an id)."""
        return ANY_ID, {self.name: record_id}


ANY_ID = -1
# Named for what they stand in for, where a filter or a scope compares with them.
ANY_TITLE = ANY_COMPANY = ANY_ID
TITLE_ID = KeptId("title_id")
COMPANY_ID = KeptId("company_id")


async def column_rows(session: AsyncSession, statement: Executable, parameters: dict[str, Any] | None = None, *,
                      kept: bool) -> Sequence[Row[*tuple[Any, ...]]]:
    """All rows of a statement that selects columns, not ORM entities; ``kept`` when ``keep_statements``
    hands out this very statement object again.

    ``session.execute`` hands each column of each row through the ORM's loading, a Python call apiece; the
    connection's own result converts them in SQLAlchemy's compiled code: the same rows, in the same
    transaction. That pays for a kept statement: a group's 200-figure list took 0.5 ms less of the event
    loop's time (3.1 -> 2.5 ms). For a new statement object whose SQL was compiled before (a title's
    figures) the connection first matches the cached compilation's result columns to the new statement's,
    which cost a title's few figures 0.2 ms more than the ORM: those go through the session. Pending changes
    are flushed first, as ``session.execute`` would (a lookup's session has none).
    """
    if not kept:
        return (await session.execute(statement, parameters)).all()
    await session.flush()
    return (await (await session.connection()).execute(statement, parameters)).all()


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in slices of at most ``IN_LIST_SIZE``: one ``IN (...)`` each."""
    for start in range(0, len(values), IN_LIST_SIZE):
        yield values[start : start + IN_LIST_SIZE]


class DatabaseUrlError(ValueError):
    """A database URL Slate cannot use; the message says which forms work."""


def normalize_database_url(url: str) -> str:
    """Accept the URL forms people paste (``postgres://``, ``sqlite:///x.db``) and pick the async driver."""
    try:
        parsed = make_url(url)
    except Exception as error:
        raise DatabaseUrlError(f"'{url}' is not a database URL ({error})") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise DatabaseUrlError(
        f"'{parsed.render_as_string(hide_password=True)}' is neither SQLite nor PostgreSQL;"
        " use sqlite:///slate.db or postgresql://user@host/dbname"
    )


# Each SQLite connection's page cache (SQLite's default is 2 MiB). A list of 200 figures or deals reads about
# a thousand rows scattered over a big catalog: with 2 MiB they come through the OS for every question
# (3.0-3.8 ms of SQL at 100,000 titles), with 32 MiB the pages a team keeps asking about stay (1.5-2.0 ms).
SQLITE_CACHE_KIB = 32_000
# Connections to one SQLite file, at most (each has its own thread in aiosqlite, and its own page cache):
# readers of one file on two cores gain nothing past a few, and a burst of commands waits its turn for
# milliseconds rather than opening up to fifteen (SQLAlchemy's default), at most 128 MiB of page caches.
SQLITE_CONNECTIONS = 4


# Settings of Slate's own PostgreSQL sessions (not the server's). A catalog's working set fits in memory, or
# on SSD, where a random page costs little more than the next one; with the default cost of 4 the planner
# read all 20,000 deals of a 10,000-title catalog to join a group's 200 (21 ms) rather than look each up
# by its key (5.5 ms with 1.1, the value PostgreSQL's documentation suggests for SSDs).
POSTGRES_SESSION_SETTINGS = {"random_page_cost": "1.1"}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless every connection asks for them.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def create_engine(url: str, *, echo: bool = False, search_path: str | None = None) -> AsyncEngine:
    """Create the async engine for ``url`` (SQLite via aiosqlite, PostgreSQL via asyncpg).

    ``search_path`` puts a PostgreSQL session in one schema (tests give each run its own).
    """
    url = normalize_database_url(url)
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every session would see its own empty in-memory database.
            options["poolclass"] = StaticPool
        else:
            options.update(pool_size=SQLITE_CONNECTIONS, max_overflow=0)
        # aiosqlite connections that fetch a statement's rows in the same trip to their thread.
        engine = create_async_engine(url, async_creator=prefetching_creator(parsed), **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    server_settings = dict(POSTGRES_SESSION_SETTINGS)
    if search_path:
        server_settings["search_path"] = search_path
    options["connect_args"] = {"server_settings": server_settings}
    return create_async_engine(url, pool_pre_ping=True, **options)


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep loaded objects usable after commit (replies are built after the unit of work)."""
    return async_sessionmaker(engine, expire_on_commit=False)
