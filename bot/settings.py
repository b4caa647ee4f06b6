"""Settings: read once from the environment and ``.env``, frozen, failing fast with one sentence.

The environment wins over ``.env`` (so a deployment can override a file), and every variable is
documented in ``.env.example``. The Discord token is wrapped in ``Secret`` so that no ``repr``, log line
or traceback ever shows it; only the code that connects to Discord calls ``reveal()``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from dotenv import dotenv_values

from storage.db import DatabaseUrlError, normalize_database_url

DEFAULT_DATABASE_URL = "sqlite:///slate.db"
SUPPORTED_LOCALES = ("en", "es", "tr")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_SALES_ROLES = "Sales"
DEFAULT_ADMIN_ROLES = "Slate Admin"
DEFAULT_COOLDOWN_SECONDS = 10.0
MAX_COOLDOWN_SECONDS = 3600.0
DEFAULT_ANNOUNCE_GRACE_HOURS = 6.0
MAX_ANNOUNCE_GRACE_HOURS = 168.0
# A Discord id (a "snowflake"): 17 to 20 digits today; a little slack either way costs nothing.
_SNOWFLAKE = re.compile(r"^\d{15,21}$")


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
class Roles:
    """Discord roles named in settings, by id or by name: ids survive a rename, names are easier to write."""

    ids: frozenset[int] = frozenset()
    names: frozenset[str] = frozenset()  # casefolded

    def match(self, role_id: int, role_name: str) -> bool:
        return role_id in self.ids or role_name.casefold() in self.names

    def __bool__(self) -> bool:
        return bool(self.ids or self.names)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    discord_token: Secret = field(default_factory=lambda: Secret(""))
    command_prefix: str = "!"
    default_locale: str = "en"
    log_level: str = "INFO"
    guild_ids: frozenset[int] = frozenset()  # the team's servers: the only ones the bot answers in
    sales_roles: Roles = field(default_factory=lambda: Roles(names=frozenset({DEFAULT_SALES_ROLES.casefold()})))
    sales_role_label: str = DEFAULT_SALES_ROLES  # how a refusal names the role ("You need the Sales role")
    admin_roles: Roles = field(default_factory=lambda: Roles(names=frozenset({DEFAULT_ADMIN_ROLES.casefold()})))
    admin_role_label: str = DEFAULT_ADMIN_ROLES
    owner_ids: frozenset[int] = frozenset()  # people who may always run admin commands, besides the app owner
    cooldown_seconds: float = DEFAULT_COOLDOWN_SECONDS  # per user, on the expensive commands (chart, press)
    announce_grace_hours: float = DEFAULT_ANNOUNCE_GRACE_HOURS  # a missed digest is posted late within this

    def require_token(self) -> str:
        """The Discord token, for the one place that connects; a clear error when it is missing."""
        if not self.discord_token:
            raise SettingsError(
                "DISCORD_TOKEN is not set: put the bot token from https://discord.com/developers/applications"
                " in .env (see .env.example), or use `slate ask` and `slate console`, which need no token"
            )
        return self.discord_token.reveal()

    def require_guilds(self) -> frozenset[int]:
        """The team's server ids, for the bot; without them it would answer in no server at all."""
        if not self.guild_ids:
            raise SettingsError(
                "SLATE_GUILD_IDS is not set: list the ids of your team's Discord servers, separated by commas"
                " (Discord: User Settings -> Advanced -> Developer Mode, then right-click the server -> Copy"
                " Server ID); the bot answers only there"
            )
        return self.guild_ids


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


def _ids(name: str, raw: str, what: str) -> frozenset[int]:
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if bad := [item for item in items if not _SNOWFLAKE.match(item)]:
        raise SettingsError(f"{name} must be Discord {what} ids (17 to 20 digits) separated by commas;"
                            f" got {bad[0]!r}")
    return frozenset(int(item) for item in items)


def _roles(name: str, raw: str) -> tuple[Roles, str]:
    """Role ids and names, mixed, separated by commas; and the name a refusal should mention."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if bad := [item for item in items if item.startswith("@") or len(item) > 100]:
        raise SettingsError(f"{name} must be role names (without @, at most 100 characters) or role ids,"
                            f" separated by commas; got {bad[0]!r}")
    ids = frozenset(int(item) for item in items if _SNOWFLAKE.match(item))
    names = [item for item in items if not _SNOWFLAKE.match(item)]
    label = names[0] if names else "team's " + name.removeprefix("SLATE_").removesuffix("_ROLES").lower()
    return Roles(ids=ids, names=frozenset(n.casefold() for n in names)), label


def _cooldown(raw: str) -> float:
    return _bounded("SLATE_COOLDOWN_SECONDS", raw, MAX_COOLDOWN_SECONDS, "seconds", "no cooldown")


def _grace_hours(raw: str) -> float:
    return _bounded("SLATE_ANNOUNCE_GRACE_HOURS", raw, MAX_ANNOUNCE_GRACE_HOURS, "hours", "never post late")


def _bounded(name: str, raw: str, limit: float, unit: str, zero_means: str) -> float:
    """A number from 0 to ``limit``, or one sentence naming the setting, its range and what was given."""
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= limit:
        raise SettingsError(f"{name} must be a number of {unit} from 0 ({zero_means}) to {limit:.0f}; got {raw!r}")
    return value


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings once: ``.env`` first, then the environment on top of it."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({key: value for key, value in dotenv_values(env_file).items() if value is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str, default: str) -> str:
        return values.get(name, "").strip() or default

    sales_roles, sales_label = _roles("SLATE_SALES_ROLES", get("SLATE_SALES_ROLES", DEFAULT_SALES_ROLES))
    admin_roles, admin_label = _roles("SLATE_ADMIN_ROLES", get("SLATE_ADMIN_ROLES", DEFAULT_ADMIN_ROLES))
    return Settings(
        database_url=_database_url(get("SLATE_DATABASE_URL", DEFAULT_DATABASE_URL)),
        discord_token=Secret(get("DISCORD_TOKEN", "")),
        command_prefix=_prefix(get("SLATE_PREFIX", "!")),
        default_locale=_locale(get("SLATE_LOCALE", "en")),
        log_level=_log_level(get("SLATE_LOG_LEVEL", "INFO")),
        guild_ids=_ids("SLATE_GUILD_IDS", get("SLATE_GUILD_IDS", ""), "server"),
        sales_roles=sales_roles,
        sales_role_label=sales_label,
        admin_roles=admin_roles,
        admin_role_label=admin_label,
        owner_ids=_ids("SLATE_OWNER_IDS", get("SLATE_OWNER_IDS", ""), "user"),
        cooldown_seconds=_cooldown(get("SLATE_COOLDOWN_SECONDS", str(DEFAULT_COOLDOWN_SECONDS))),
        announce_grace_hours=_grace_hours(get("SLATE_ANNOUNCE_GRACE_HOURS", str(DEFAULT_ANNOUNCE_GRACE_HOURS))),
    )


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        # Alembic narrates every start-up at INFO ("Context impl SQLiteImpl"); only its warnings matter here.
        logging.getLogger("alembic").setLevel(logging.WARNING)
