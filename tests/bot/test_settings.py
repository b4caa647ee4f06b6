"""Settings: defaults, .env under the environment, one sentence naming a bad value, a token that never shows."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.settings import Secret, SettingsError, load_settings


def test_defaults_without_any_configuration(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.env", environ={})
    assert settings.database_url == "sqlite+aiosqlite:///slate.db"
    assert settings.command_prefix == "!"
    assert settings.default_locale == "en"
    assert settings.log_level == "INFO"
    assert not settings.discord_token


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLATE_PREFIX=?\nSLATE_LOCALE=es\nSLATE_DATABASE_URL=postgres://u@db/slate\n")
    settings = load_settings(env_file, environ={"SLATE_PREFIX": "$"})
    assert settings.command_prefix == "$"
    assert settings.default_locale == "es"
    assert settings.database_url == "postgresql+asyncpg://u@db/slate"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLATE_LOCALE", "klingon"),
        ("SLATE_LOCALE", "fr"),
        ("SLATE_LOG_LEVEL", "LOUD"),
        ("SLATE_PREFIX", "two words"),
        ("SLATE_DATABASE_URL", "mysql://u@h/db"),
        ("SLATE_DATABASE_URL", "not a url"),
    ],
)
def test_malformed_value_names_itself(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(tmp_path / "none.env", environ={name: value})


def test_token_is_never_shown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = "MTIzNDU2Nzg5.secret-token-value"
    settings = load_settings(tmp_path / "none.env", environ={"DISCORD_TOKEN": token})
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("settings: %s / %r", settings, settings)
    assert token not in repr(settings)
    assert token not in str(settings.discord_token)
    assert token not in caplog.text
    assert settings.require_token() == token
    assert settings.discord_token == Secret(token)


def test_missing_token_says_how_to_get_one(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.env", environ={})
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        settings.require_token()


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.env", environ={})
    with pytest.raises(AttributeError):
        settings.command_prefix = "?"  # type: ignore[misc]
