"""``bw.forecast()``, ``bw.backtest()``, ``bw.campaign()``: Council (and Assembly) vote forecasts.

The domain is :mod:`blocwatch.forecast` (its docstrings say how the model
works and how no-peeking is enforced); this module checks the questions,
finds the members, and keeps the history and the training table of each
forum per data version (the training table takes about a second to build;
every forecast after the first reuses it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.api.options import VoteForum, choose
from blocwatch.api.votes import _day
from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from blocwatch.api.core import Blocwatch
    from blocwatch.forecast.backtest import Backtest
    from blocwatch.forecast.campaign import Campaign
    from blocwatch.forecast.history import History
    from blocwatch.forecast.predict import Forecast
    from blocwatch.forecast.training import Training

BACKTEST_FROM = 2010


def history(bw: Blocwatch, forum: str) -> History:
    """The forum's whole history (cached per data version)."""
    from blocwatch.forecast.history import load

    def read() -> History:
        with bw.engine.connect() as conn:
            return load(conn, forum, list(bw.dataset()))

    return bw.cache.get(("forecast-history", forum, bw.data_version()), read)


def training(bw: Blocwatch, forum: str, progress: Callable[[int, int], None] | None = None) -> Training:
    """The forum's training table (cached per data version)."""
    from blocwatch.forecast.training import build

    return bw.cache.get(("forecast-training", forum, bw.data_version()),
                        lambda: build(history(bw, forum), progress))


def _can_vote(iso3: str, day: dt.date) -> str | None:
    """Why ``iso3`` cannot cast a vote in a UN body on ``day`` (None when it can): an observer state, or a state
    not (yet, or any more) a UN member that day."""
    from blocwatch import registry

    country = registry.get(iso3)
    if country.member_on(day):
        return None
    who = f"{country.name} ({country.iso3})"
    if country.status == "observer" or country.admitted is None:
        return f"{who} is not a UN member state (an observer): it has no vote"
    if day < country.admitted:
        return f"{who} was not a UN member on {day} (admitted {country.admitted})"
    return f"{who} was not a UN member on {day} (until {country.ended})"


def _members_from_file(bw: Blocwatch, path: Path, day: dt.date) -> list[str]:
    """The states a members file names: one per line (or separated by commas or semicolons); ``#`` comments.
    Each must be a UN member on ``day`` (a body's members vote; an observer does not)."""
    if path.is_dir() or not path.exists():
        raise InvalidInput(f"{path}: {'is a folder' if path.is_dir() else 'no such file'} (give a text file "
                           "with one state per line)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror or exc})") from None
    out: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for name in line.split("#", 1)[0].replace(";", ",").split(","):
            name = name.strip()
            if not name:
                continue
            try:
                iso3 = bw.countries.get(name).iso3
            except InvalidInput as e:
                raise InvalidInput(f"{path}:{number}: {e}") from None
            if iso3 in out:
                raise InvalidInput(f"{path}:{number}: {name!r} ({iso3}) is named twice")
            why = _can_vote(iso3, day)
            if why:
                raise InvalidInput(f"{path}:{number}: {why}")
            out.append(iso3)
    if not out:
        raise InvalidInput(f"{path}: names no state (expected one name or code per line)")
    return out


def _members(bw: Blocwatch, forum: str, day: dt.date, given: Sequence[str] | Path | str | None,
             other: str = "another --year") -> list[str]:
    """The members who vote on ``day``: those given (a file or a list; each a UN member that day), else the
    forum's (``other``: what else the command lets one give when the Council's are not stored)."""
    from blocwatch.votes import read

    if isinstance(given, Path | str):
        return _members_from_file(bw, Path(given), day)
    if given is not None:
        codes = [bw.countries.get(str(name)).iso3 for name in given]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise InvalidInput(f"members: {', '.join(twice)} named twice")
        if not codes:
            raise InvalidInput("members: no state given")
        for code in codes:
            why = _can_vote(code, day)
            if why:
                raise InvalidInput(f"members: {why}")
        return codes
    with bw.engine.connect() as conn:
        if forum == "ga":
            return sorted(read.members_on(conn, "ga", day))
        try:
            return sorted(read.council_members(conn, day))
        except InvalidInput as e:
            raise InvalidInput(f"{e}; give --members FILE (one state per line) or {other}") from None


def _as_of(value: dt.date | str | None, option: str = "--as-of") -> dt.date:
    day = _day(value, option)
    if isinstance(day, dt.datetime):  # a Python caller's datetime: its day (a cut is by day)
        day = day.date()
    return day if day is not None else dt.date.today()


def forecast(bw: Blocwatch, target: str, *, forum: VoteForum | str = "hrc", as_of: dt.date | str | None = None,
             year: int | None = None, members: Sequence[str] | Path | str | None = None,
             ideal: bool = True) -> Forecast:
    """How each member would vote on a text critical of ``target``, as known on the morning of ``as_of``.

    Members: ``members`` (a list of names or codes, or the path of a file
    naming one state per line), else the
    Council's members of ``year`` (on ``as_of`` when it falls in that
    year, else on 31 December, as ``hrc members --year``), else on
    ``as_of``. For ``forum="ga"``: the UN members of that day.
    ``ideal``: add each member's GA ideal point in the last session over
    before ``as_of`` (a fit of that session, about 1 s the first time).
    """
    from blocwatch.forecast.predict import forecast as run

    body = choose(VoteForum, forum, "--forum").value
    state = bw.countries.get(target).iso3
    day = _as_of(as_of)
    if year is not None and members is not None:
        raise InvalidInput("give --year or --members, not both")
    if year is not None and body == "ga":
        raise InvalidInput("--year chooses the Council's members of a year; the General Assembly's members are "
                           "every UN member on the --as-of day")
    if year is not None and not 1945 <= year <= 9999:
        raise InvalidInput(f"--year {year}: expected a year from 1945 to 9999")
    on = day if year is None or year == day.year else dt.date(year, 12, 31)
    who = _members(bw, body, on, members)
    result = run(history(bw, body), training(bw, body), state, who, day, fitted=_fitted(bw, body, day))
    return _with_ideal_points(bw, result) if ideal else result


def _with_ideal_points(bw: Blocwatch, f: Forecast) -> Forecast:
    """Each member's GA ideal point in the last session over before the forecast's day (its record; for the swing
    states also a reason), from the static fit of that session alone: nothing later is read."""
    from dataclasses import replace

    from blocwatch.forecast.history import completed_session

    with bw.engine.connect() as conn:
        found = completed_session(conn, f.as_of)
    if found is None:
        return f
    session, first, last = found
    table = bw.ga.ideal(session).positions.set_index("iso3")
    value = {str(iso3): float(x) for iso3, x in table["ideal"].items()}
    se = {str(iso3): float(x) for iso3, x in table["se"].items()}
    refs = (("USA", "United States"), (f.target, f.target_name))
    scale = ", ".join(f"{name} {value[code]:+.2f}" for code, name in refs if code in value)
    members = []
    for m in f.members:
        if m.iso3 not in value:
            members.append(m)
            continue
        point = {"session": session, "from": first.isoformat(), "to": last.isoformat(), "ideal": value[m.iso3],
                 "se": se[m.iso3]}
        reasons = m.reasons
        if m.iso3 in f.swing:
            reasons = (*reasons, f"GA ideal point in session {session} ({first} to {last}): {value[m.iso3]:+.2f} "
                                 f"({scale})")
        members.append(replace(m, reasons=reasons, record={**m.record, "ga_ideal_point": point}))
    return replace(f, members=tuple(members))


def _fitted(bw: Blocwatch, forum: str, day: dt.date):
    """The model fitted on the votes before ``day``, cached: every day between two vote days has the same fit."""
    from blocwatch.forecast.predict import fit

    rows = training(bw, forum)
    past = int(rows.before(day).sum())
    if not past:
        first = f" (the first is on {rows.day.min()})" if len(rows) else ""
        body = "Council" if forum == "hrc" else "General Assembly"
        raise InvalidInput(f"--as-of {day}: no {body} vote on a country text was recorded before that day to learn "
                           f"from{first}")
    return bw.cache.get(("forecast-fit", forum, bw.data_version(), past), lambda: fit(rows, day))


def backtest(bw: Blocwatch, *, forum: VoteForum | str = "hrc", start: int | dt.date | str = BACKTEST_FROM,
             progress: Callable[[int, int], None] | None = None) -> Backtest:
    """Every country-text vote from ``start`` (a year or a day) on, forecast as of the day before, with the
    baselines' scores beside the model's (:mod:`blocwatch.forecast.backtest`)."""
    from blocwatch.forecast.backtest import run

    body = choose(VoteForum, forum, "--forum").value
    if isinstance(start, int):
        if not 1945 <= start <= 9999:
            raise InvalidInput(f"--from {start}: expected a year from 1945 to 9999")
        first = dt.date(start, 1, 1)
    else:
        try:
            first = _day(start, "--from") or dt.date(BACKTEST_FROM, 1, 1)
        except InvalidInput:
            raise InvalidInput(f"--from: {start!r} is not a year or a day (expected YYYY or YYYY-MM-DD)") from None
        if isinstance(first, dt.datetime):
            first = first.date()
    h = history(bw, body)
    if not h.vote_days(first):
        last = f" (the last is on {h.last_day})" if h.last_day else ""
        raise InvalidInput(f"--from {first}: no {'Council' if body == 'hrc' else 'General Assembly'} vote on a "
                           f"country text is recorded from then on{last}")
    return bw.cache.get(("backtest", body, bw.data_version(), first),
                        lambda: run(h, training(bw, body), first, progress=progress))


def campaign(bw: Blocwatch, target: str, *, forum: VoteForum | str = "hrc", as_of: dt.date | str | None = None,
             members: Sequence[str] | Path | str | None = None) -> Campaign:
    """The states not yet on board, ranked by their chance of voting yes on a text critical of ``target``."""
    from blocwatch.forecast.campaign import campaign as run

    body = choose(VoteForum, forum, "--forum").value
    state = bw.countries.get(target).iso3
    day = _as_of(as_of)
    who = _members(bw, body, day, members, other="an --as-of day in that span")
    return run(history(bw, body), training(bw, body), state, who, day, fitted=_fitted(bw, body, day))
