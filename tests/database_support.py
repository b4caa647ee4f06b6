"""Which PostgreSQL server the tests may use, shared by conftest and the tests that make their own schemas.

A plain module (not conftest): several conftest.py files exist, so ``import conftest`` would be ambiguous.
"""

from __future__ import annotations

import os

import pytest

POSTGRES_URL = os.environ.get("SLATE_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("SLATE_REQUIRE_POSTGRES", "") == "1"


def require_postgres() -> str:
    """The PostgreSQL URL for this run, or skip (fail when CI requires PostgreSQL)."""
    if not POSTGRES_URL:
        message = "PostgreSQL tests need SLATE_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL
