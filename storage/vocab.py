"""The fixed words of the domain: media rights, deal statuses, kinds of title and company, measurements.

Each vocabulary maps its canonical value (what the database stores) to the label people read, and
``SYNONYMS`` maps what people type in spreadsheets and chat (normalized with ``name_key``) to the value.
"""

from __future__ import annotations

from storage.keys import name_key

MEDIA_RIGHTS: dict[str, str] = {
    "free_tv": "Free TV",
    "pay_tv": "Pay TV",
    "svod": "SVOD",
    "avod": "AVOD",
    "tvod_est": "TVOD/EST",
    "fast": "FAST",
    "theatrical": "Theatrical",
    "non_theatrical": "Non-theatrical",
}

DEAL_STATUSES: dict[str, str] = {
    "offered": "Offered",
    "negotiating": "Negotiating",
    "signed": "Signed",
    "active": "Active",
    "expired": "Expired",
    "cancelled": "Cancelled",
}

# The order a salesperson reads deals in: what is in force, then what is being negotiated, then history.
# A status not stated counts as signed, as the avails rule reads it. Deal territories carry their deal's rank
# (``DealTerritory.status_rank``), so migration 0005 writes these numbers out too.
STATUS_RANK: dict[str | None, int] = {
    None: 0, "active": 0, "signed": 0, "negotiating": 1, "offered": 1, "expired": 2, "cancelled": 2,
}

TITLE_KINDS: dict[str, str] = {
    "film": "Film",
    "series": "Series",
    "format": "Format",
    "documentary": "Documentary",
}

COMPANY_KINDS: dict[str, str] = {
    "broadcaster": "Broadcaster",
    "pay_tv": "Pay TV channel",
    "streaming": "Streaming platform",
    "distributor": "Distributor",
    "cinema_chain": "Cinema chain",
    "other": "Other",
}

MEASUREMENTS: dict[str, str] = {
    "live": "Live",
    "consolidated": "Consolidated",
}

NAME_KINDS: dict[str, str] = {
    "international": "International title",
    "original": "Original title",
    "localized": "Localized title",
    "alias": "Also known as",
}

_SYNONYMS_RAW: dict[str, dict[str, tuple[str, ...]]] = {
    "media": {
        "free_tv": ("free tv", "freetv", "fta", "free to air", "free-to-air", "tv abierta", "ulusal tv"),
        "pay_tv": ("pay tv", "paytv", "cable", "tv de paga", "tv paga"),
        "svod": ("svod", "subscription vod", "streaming"),
        "avod": ("avod", "ad supported vod"),
        "tvod_est": ("tvod", "est", "tvod est", "tvod/est", "transactional", "electronic sell through"),
        "fast": ("fast",),
        "theatrical": ("theatrical", "cinema", "cine", "sinema"),
        "non_theatrical": ("non theatrical", "nontheatrical", "airlines", "hotels", "ships", "inflight"),
    },
    "status": {
        "offered": ("offered", "offer"),
        "negotiating": ("negotiating", "in negotiation", "negotiation"),
        "signed": ("signed",),
        "active": ("active", "live"),
        "expired": ("expired",),
        "cancelled": ("cancelled", "canceled"),
    },
    "title_kind": {
        "film": ("film", "movie", "feature", "feature film", "pelicula", "película", "film", "sinema filmi"),
        "series": ("series", "serie", "drama series", "tv series", "dizi", "telenovela"),
        "format": ("format", "formato"),
        "documentary": ("documentary", "doc", "documental", "belgesel"),
    },
    "company_kind": {
        "broadcaster": ("broadcaster", "free tv", "channel", "network"),
        "pay_tv": ("pay tv", "pay tv channel", "cable channel"),
        "streaming": ("streaming", "streaming platform", "platform", "streamer", "ott"),
        "distributor": ("distributor",),
        "cinema_chain": ("cinema chain", "exhibitor", "cinemas"),
        "other": ("other",),
    },
    "measurement": {
        "live": ("live", "live same day", "overnight"),
        "consolidated": ("consolidated", "live 7", "live+7", "l7", "c7", "time shifted"),
    },
}

VOCABULARIES: dict[str, dict[str, str]] = {
    "media": MEDIA_RIGHTS,
    "status": DEAL_STATUSES,
    "title_kind": TITLE_KINDS,
    "company_kind": COMPANY_KINDS,
    "measurement": MEASUREMENTS,
}

SYNONYMS: dict[str, dict[str, str]] = {
    vocabulary: {
        name_key(word): value
        for value, words in (*((v, (v, v.replace("_", " "), label)) for v, label in VOCABULARIES[vocabulary].items()),
                             *words_by_value.items())
        for word in words
    }
    for vocabulary, words_by_value in _SYNONYMS_RAW.items()
}


def canonical(vocabulary: str, text: str) -> str | None:
    """Return the canonical value for ``text`` in ``vocabulary`` ("SVOD" -> "svod"), or None if unknown."""
    return SYNONYMS[vocabulary].get(name_key(text))
