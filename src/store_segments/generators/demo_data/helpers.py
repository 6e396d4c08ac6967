"""Small helpers: days relative to END, seeded draws, money and timestamp text."""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from datetime import datetime, time, timedelta
from itertools import accumulate

from .constants import END, END_DATE, LATEST_RANDOM
from .knobs import HOUR_WEIGHTS


def days_ago(ts: datetime) -> int:
    """Calendar days from the UTC date of `ts` to END's date (docs/definitions.md §1)."""
    return (END_DATE - ts.date()).days


def midnight(days: int) -> datetime:
    """00:00:00 on the date `days` days before END's date."""
    return datetime.combine(END_DATE - timedelta(days=days), time(0, 0))


def noon(days: int, hour: int = 12) -> datetime:
    """The planted customers' clock: `hour`:00:00 on the date `days` days ago."""
    return midnight(days) + timedelta(hours=hour)


def rint(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high]: one draw of rng.random(), cheaper than randint()."""
    return low + int(rng.random() * (high - low + 1))


HOUR_CUMULATIVE: tuple[float, ...] = tuple(accumulate(HOUR_WEIGHTS))


def day_at(days: int, rng: random.Random) -> datetime:
    """A random instant, weighted to waking hours, on the date `days` days ago."""
    hour = bisect_right(HOUR_CUMULATIVE, rng.random() * HOUR_CUMULATIVE[-1])
    return midnight(days) + timedelta(seconds=hour * 3600 + rint(rng, 0, 3599))


def money(cents: int) -> str:
    """Cents as a two-decimal string ("12.50", "-25.00")."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


ASCII_FOLD: dict[int, str] = {ord("ł"): "l", ord("Ł"): "L", ord("ø"): "o", ord("Ø"): "O",
                              ord("ß"): "ss"}


def ascii_slug(text: str) -> str:
    """Lower-case ASCII for email local parts (names keep their accents elsewhere)."""
    text = text.translate(ASCII_FOLD)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def plain_ts(ts: datetime) -> str:
    """The common export format, UTC without a marker (all instants are whole seconds)."""
    return ts.isoformat(" ")


OFFSETS_MINUTES: tuple[int, ...] = (60, 120, -300, -240, 330)
LATEST_VARIED = END - timedelta(days=1)


def format_ts(ts: datetime, rng: random.Random, varied: bool = True) -> str:
    """Write `ts` (UTC) in one of the export formats; all denote the same instant.

    Only instants at least a day before END get a `Z` or offset form, so that neither the UTC
    instant nor the local wall clock of an offset form is after END.
    """
    if not varied or ts > LATEST_VARIED:
        return ts.isoformat(" ")
    draw = rng.random()
    if draw < 0.10:
        return ts.isoformat() + "Z"
    if draw < 0.20:
        offset = rng.choice(OFFSETS_MINUTES)
        local = ts + timedelta(minutes=offset)
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset), 60)
        return f"{local.isoformat()}{sign}{hours:02d}:{minutes:02d}"
    return ts.isoformat(" ")


def clamp_latest(ts: datetime) -> bool:
    """Whether a generated instant is allowed (non-planted activity ends before END's date)."""
    return ts <= LATEST_RANDOM


def send_fits(ts: datetime) -> bool:
    """Whether a send leaves room for its delivery and prefetch before the cut-off."""
    return ts <= LATEST_RANDOM - timedelta(minutes=5)
