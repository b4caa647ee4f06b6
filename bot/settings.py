"""Settings: read once from the environment and ``.env``, frozen, failing fast with one sentence.

The environment wins over ``.env`` (so a deployment can override a file), and every variable is
documented in ``.env.example``. The Discord token is wrapped in ``Secret`` so that no ``repr``, log line
or traceback ever shows it; only the code that connects to Discord calls ``reveal()``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from dotenv import dotenv_values

from storage.db import DatabaseUrlError, normalize_database_url

DEFAULT_DATABASE_URL = "sqlite:///slate.db"
SUPPORTED_LOCALES = ("en", "es", "tr")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """A missing or malformed setting; the message names the variable and what to write."""


class Secret:
    """A value that never prints itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    discord_token: Secret = field(default_factory=lambda: Secret(""))
    command_prefix: str = "!"
    default_locale: str = "en"
    log_level: str = "INFO"

    def require_token(self) -> str:
        """The Discord token, for the one place that connects; a clear error when it is missing."""
        if not self.discord_token:
            raise SettingsError(
                "DISCORD_TOKEN is not set: put the bot token from https://discord.com/developers/applications"
                " in .env (see .env.example), or use `slate ask` and `slate console`, which need no token"
            )
        return self.discord_token.reveal()


def _database_url(raw: str) -> str:
    try:
        return normalize_database_url(raw)
    except DatabaseUrlError as error:
        raise SettingsError(f"SLATE_DATABASE_URL: {error}") from None


def _prefix(raw: str) -> str:
    if not raw or any(character.isspace() for character in raw) or len(raw) > 5:
        raise SettingsError(f"SLATE_PREFIX must be 1 to 5 characters without spaces, like ! or ?; got {raw!r}")
    return raw


def _locale(raw: str) -> str:
    try:
        locale = Locale.parse(raw.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = None
    if locale is None or locale.language not in SUPPORTED_LOCALES:
        raise SettingsError(f"SLATE_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}; got {raw!r}")
    return locale.language


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"SLATE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; got {raw!r}")
    return level


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings once: ``.env`` first, then the environment on top of it."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({key: value for key, value in dotenv_values(env_file).items() if value is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str) -> str:
        return values.get(name, "").strip() or default

    return Settings(
        database_url=_database_url(get("SLATE_DATABASE_URL", DEFAULT_DATABASE_URL)),
        discord_token=Secret(get("DISCORD_TOKEN", "")),
        command_prefix=_prefix(get("SLATE_PREFIX", "!")),
        default_locale=_locale(get("SLATE_LOCALE", "en")),
        log_level=_log_level(get("SLATE_LOG_LEVEL", "INFO")),
    )


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        # Alembic narrates every start-up at INFO ("Context impl SQLiteImpl"); only its warnings matter here.
        logging.getLogger("alembic").setLevel(logging.WARNING)
