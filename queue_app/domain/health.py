"""The network's health at a glance (the admin home): pure rules on what the services read."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

# A display pings nothing by itself: a connected screen is noted as seen
# (jobs.note_connected, every minute), so one not seen for SILENT_AFTER is off, asleep or cut from the network.
SILENT_AFTER = timedelta(minutes=15)


def missing_languages(texts: dict | None, languages: Sequence[str]) -> list[str]:
    """The configured languages (in their order) for which a {language: text} has no text, or an empty one."""
    texts = texts or {}
    return [code for code in languages if not texts.get(code)]


def is_silent(last_seen_at: datetime | None, now: datetime, after: timedelta = SILENT_AFTER) -> bool:
    """Whether a device last seen at `last_seen_at` (None: never) counts as silent at `now`."""
    return last_seen_at is None or now - last_seen_at >= after
