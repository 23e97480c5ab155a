"""The General Assembly's calendar: which regular session was running on a day.

Regular session ``N`` opens in September of ``1945 + N`` and runs until
session ``N + 1`` opens; votes of an emergency or special session count in
the regular session running that day (as in unvotes). The opening days of
sessions 74-80 are recorded (:data:`OPENINGS`, from UN press releases); other
sessions use the rule they follow (:func:`opening_by_rule`), an
approximation for sessions before 74 (whose opening days varied) that only
matters for the few days around an opening.
"""

from __future__ import annotations

from datetime import date, timedelta

# Opening days of the regular sessions this source covers (UN press releases, e.g. GA/12525
# for the 78th on 5 September 2023, GA/12622 for the 79th on 10 September 2024).
OPENINGS: dict[int, date] = {
    74: date(2019, 9, 17), 75: date(2020, 9, 15), 76: date(2021, 9, 14), 77: date(2022, 9, 13),
    78: date(2023, 9, 5), 79: date(2024, 9, 10), 80: date(2025, 9, 9),
}


def session_opening(session: int) -> date:
    """The day regular session ``session`` opened: :data:`OPENINGS`, else :func:`opening_by_rule`."""
    return OPENINGS.get(session) or opening_by_rule(session)


def opening_by_rule(session: int) -> date:
    """The opening day the rule gives (it reproduces :data:`OPENINGS`).

    Sessions 74-77 opened on the Tuesday of the third week of September, 78-80 on the Tuesday
    of the second week, weeks counted from the first one with a weekday in September.
    """
    first = date(1945 + session, 9, 1)
    if first.weekday() < 5:
        monday = first - timedelta(days=first.weekday())
    else:
        monday = first + timedelta(days=7 - first.weekday())
    week = 2 if session >= 78 else 3
    return monday + timedelta(days=7 * (week - 1) + 1)


def session_on(day: date) -> int:
    """The regular GA session in progress on ``day`` (from its opening to the next one's)."""
    session = day.year - 1945
    return session if day >= session_opening(session) else session - 1
