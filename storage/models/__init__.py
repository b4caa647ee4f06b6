"""The catalog schema: SQLAlchemy 2 typed models, the same on SQLite and PostgreSQL.

Conventions that hold for every table:
- Every name has a ``key`` column, its ``storage.keys.name_key``, which all lookups compare.
- Records that a spreadsheet can hold carry a natural key (``natural_key`` or a unique constraint) so
  importing the same file twice finds the same rows instead of adding new ones. Natural keys that include
  a value that may be unknown (a year, an air date) are computed strings, because NULLs never collide in a
  unique constraint on either engine.
- Every imported record keeps its ``source`` (the spreadsheet's column) and the import batch that last
  wrote it (file, sheet and time).
- Relationships are ``lazy="raise"``: a query says what it loads with ``selectinload``.
- Text lengths are declared on the columns and checked before every flush (``check_lengths``), because
  SQLite would store a 10,000-character "country code" without a word.

The tables live in four rooms: ``base`` (what every table shares, and import batches), ``catalog`` (the
team's records), ``deals`` (licences out, their territories and media) and ``announcements`` (schedules,
digests, the ledger). Importing this package registers them all on ``Base.metadata``, which Alembic and the
tests compare against.
"""

from storage.models.announcements import (
    ANNOUNCE_FILTERS,
    ANNOUNCE_KINDS,
    ANNOUNCE_MODES,
    ANNOUNCE_SUBJECTS,
    DIGEST_STATES,
    AnnouncementDigest,
    AnnouncementLedger,
    ChannelSchedule,
    ScheduleFilter,
)
from storage.models.base import (
    IMPORT_KINDS,
    KEY_LEN,
    NAME_LEN,
    NAMING_CONVENTION,
    Base,
    FieldTooLong,
    ImportBatch,
    Sourced,
    check_lengths,
)
from storage.models.catalog import (
    AIRING_COPIES,
    Airing,
    AudienceFigure,
    Company,
    CompanyAlias,
    Quote,
    Release,
    Territory,
    TerritoryGroup,
    TerritoryName,
    Title,
    TitleName,
    company_natural_key,
    territory_group_members,
    title_natural_key,
)
from storage.models.deals import (
    Deal,
    DealMedia,
    DealTerritory,
    reading_order_copies,
)

__all__ = [
    "AIRING_COPIES", "ANNOUNCE_FILTERS", "ANNOUNCE_KINDS", "ANNOUNCE_MODES", "ANNOUNCE_SUBJECTS", "DIGEST_STATES",
    "IMPORT_KINDS", "KEY_LEN", "NAME_LEN", "NAMING_CONVENTION", "Airing", "AnnouncementDigest", "AnnouncementLedger",
    "AudienceFigure", "Base", "ChannelSchedule", "Company", "CompanyAlias", "Deal", "DealMedia", "DealTerritory",
    "FieldTooLong", "ImportBatch", "Quote", "Release", "ScheduleFilter", "Sourced", "Territory", "TerritoryGroup",
    "TerritoryName", "Title", "TitleName", "check_lengths", "company_natural_key", "reading_order_copies",
    "territory_group_members", "title_natural_key",
]
