"""Datetimes as instants: every spelling the wire admits maps to one string.

The reference (pydantic, lax mode) reads an RFC 3339 date-time with any offset
or unix seconds; two implementations that mean the same instant must compare
equal, so both spellings become one canonical UTC string. The original text is
kept elsewhere (``datetime_texts``) because the spelling is checked on its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["UNIX_SECONDS_LIMIT", "format_instant", "instant_from_text", "instant_from_unix"]

#: pydantic reads integers from 2e10 on as milliseconds; the packs stop below.
UNIX_SECONDS_LIMIT = 20_000_000_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# RFC 3339 section 5.6, letters in either case (as its ABNF and the pack's
# format checker allow); no space separator (the checker refuses it). An
# offset is required: a naive time is not an instant, so it is not normalised.
_RFC3339 = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})"
    r"(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<zulu>[Zz])|(?P<sign>[+-])(?P<off_hour>\d{2}):(?P<off_minute>\d{2}))"
)


def format_instant(moment: datetime) -> str:
    """The canonical text of an aware datetime: UTC, microseconds, ``Z``.

    Written field by field (not ``strftime``) so years below 1000 keep four
    digits on every platform.
    """
    u = moment.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def instant_from_text(text: str) -> str | None:
    """Canonical instant of an RFC 3339 date-time, or None if it is not one.

    Fractions finer than a microsecond are truncated (the reference keeps
    microseconds). Leap seconds and out-of-range fields are not instants here.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    try:
        moment = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=UTC,
        )
        if match["zulu"] is None:
            off_hour, off_minute = int(match["off_hour"]), int(match["off_minute"])
            if off_hour > 23 or off_minute > 59:
                return None
            offset = timedelta(hours=off_hour, minutes=off_minute)
            moment = moment - offset if match["sign"] == "+" else moment + offset
        return format_instant(moment)
    except (ValueError, OverflowError):
        return None


def instant_from_unix(value: int | float) -> str | None:
    """Canonical instant of unix seconds in the range the packs admit, or None.

    Only whole seconds in ``[0, 2e10)`` qualify: that is the schema's integer
    branch (JSON Schema counts ``5.0`` as an integer).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if not 0 <= value < UNIX_SECONDS_LIMIT:
        return None
    return format_instant(_EPOCH + timedelta(seconds=value))
