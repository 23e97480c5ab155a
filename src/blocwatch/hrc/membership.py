"""Human Rights Council membership as continuous terms of office.

Sources (a sources folder's ``hrc/``):

* ``membership.csv`` (``year,iso3,name,regional_group``): the 47 members of
  each year 2006-2025 as on 31 December. Until 2012 the Council's year began
  on 19 June (the first members took office on 19 June 2006), so the list of
  year Y for Y <= 2012 holds from 19 June Y; from 2013 it holds from 1 January
  (GA resolution 65/281 moved the cycle to the calendar year; the 2011 and
  2012 lists are identical, so nothing depends on where the 2012 boundary is
  put). Consecutive years of one state join into one term.
* ``membership_changes.csv``: changes within a year, completed with the exact
  dates and sources in :data:`CHANGES` (the excerpts give "2018" and "2018-07"
  for the United States and Iceland).

How the changes are represented:

* Libya 2011: GA resolution 65/265 (1 March 2011) suspended Libya's *rights of
  membership*; Libya stayed on the list of Council members (GA/11082) and the
  General Assembly restored the rights on 18 November 2011 (GA resolution
  66/11). The OHCHR voting records list Libya as "not voting" on every vote in
  between. So the term is **not** cut: it stays continuous and carries the
  suspension, with its sources, in its note. (A gap would make every one of
  those "not voting" rows a non-member's.)
* United States 2018: a member from 1 January 2017 (term 2017-2019); it
  announced its withdrawal on 19 June 2018, so its term ends that day (the
  31-December 2018 list already omits it). The OHCHR records still list the
  vacant seat as "not voting" on 5-6 July 2018; :mod:`blocwatch.hrc.read` flags
  those rows as not a member's.
* Iceland: elected on 13 July 2018 for the rest of the US term, "effective
  immediately"; its 2018 term starts that day.
* Russian Federation: resigned on 7 April 2022 (its last day as a member).
* Czechia: elected for the rest of the Russian term from 10 May 2022.

Limits: the table ends with 2025; a term still running then has ``end=None``
(its real end is not in the sources). Days before 19 June 2006 have no members.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from blocwatch import registry
from blocwatch.errors import ImportFailed

FIRST_DAY = date(2006, 6, 19)
CALENDAR_FROM = 2013  # the first year whose list holds from 1 January
TERMS_COLUMNS = ("iso3", "start", "end", "note", "source")

_US_SOURCE = ("http://www.app.com.pk/unga-elects-iceland-to-replace-us-on-human-rights-council/"
              " (\"On 19 June, the US announced its decision to leave the Council\")")
_ISL_SOURCE = ("https://federalnewsradio.com/government-news/2018/07/un-elects-iceland-to-replace-us-on-human-rights-council/"
               " (AP, 13 July 2018: elected \"Friday\", \"Iceland's term begins immediately\")")
_LBY_SOURCES = (
    "https://www.un.org/press/en/2011/ga11082.doc.htm (Libya remained on the list of Council States,"
    " subject to 65/265)",
    "https://www.right-docs.org/doc/a-hrc-res-18-9/ (65/265 of 1 March 2011 suspended the rights of membership)",
    "https://geneva.usmission.gov/2011/11/18/libya-hrc/ (rights of membership reinstated by the GA on 18 November 2011,"
    " resolution 66/11)",
)


@dataclass(frozen=True)
class Change:
    """A change within a year: ``kind`` is ``ends`` (last day), ``starts`` (first day) or ``note``."""

    iso3: str
    kind: str
    day: date
    note: str
    source: str


# The changes of membership_changes.csv, with the exact dates and their sources.
CHANGES: tuple[Change, ...] = (
    Change("LBY", "note", date(2011, 3, 1),
           "rights of membership suspended from 1 March 2011 (GA res. 65/265) to 18 November 2011 (GA res. 66/11);"
           " Libya stayed on the list of members, and the OHCHR records list it as not voting meanwhile",
           " | ".join(_LBY_SOURCES)),
    Change("USA", "ends", date(2018, 6, 19), "withdrew: announced its withdrawal on 19 June 2018", _US_SOURCE),
    Change("ISL", "starts", date(2018, 7, 13),
           "elected on 13 July 2018 for the rest of the United States' term, effective immediately", _ISL_SOURCE),
    Change("RUS", "ends", date(2022, 4, 7), "resigned from the Council on 7 April 2022",
           "https://web.test.ohchr.un-icc.cloud/en/hr-bodies/hrc/year2023 (\"the Russian Federation that resigned"
           " from the Council on 7 April 2022\")"),
    Change("CZE", "starts", date(2022, 5, 10),
           "elected for the rest of the Russian Federation's term, beginning 10 May 2022",
           "http://miistock.com/en/ga/78/meetings/elections/hrc.shtml"),
)


@dataclass(frozen=True)
class Term:
    """One continuous term on the Council; ``end`` is the last day (None: still running when the table ends)."""

    iso3: str
    start: date
    end: date | None
    note: str
    source: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def year_start(year: int) -> date:
    """The day the list of ``year`` takes effect (19 June until 2012, then 1 January)."""
    return date(year, 6, 19) if year < CALENDAR_FROM else date(year, 1, 1)


def _read_years(path: Path) -> dict[int, set[str]]:
    years: dict[int, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"year", "iso3"} - set(reader.fieldnames or ())
        if missing:
            raise ImportFailed(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            year, iso3 = (row.get("year") or "").strip(), (row.get("iso3") or "").strip()
            if not year.isdigit() or not (2006 <= int(year) <= 2100):
                raise ImportFailed(f"{path}, line {line}: bad year {year!r}")
            if not registry.exists(iso3):
                raise ImportFailed(f"{path}, line {line}: unknown ISO3 code {iso3!r}")
            years[int(year)].add(iso3.upper())
    for year, members in years.items():
        if len(members) != 47:
            raise ImportFailed(f"{path}: year {year} lists {len(members)} members, not 47")
    return years


def _check_changes(path: Path) -> None:
    """membership_changes.csv must name exactly the changes :data:`CHANGES` completes."""
    with path.open(encoding="utf-8", newline="") as fh:
        listed = {(int(r["year"]), r["iso3"]) for r in csv.DictReader(fh)}
    known = {(c.day.year, c.iso3) for c in CHANGES}
    if listed != known:
        raise ImportFailed(f"{path}: changes {sorted(listed ^ known)} are not the ones blocwatch.hrc.membership"
                           " completes with dates and sources; review CHANGES")


def read_terms(folder: Path) -> tuple[Term, ...]:
    """Terms from ``folder/membership.csv`` and ``folder/membership_changes.csv``, sorted by state then start."""
    folder = Path(folder)
    years = _read_years(folder / "membership.csv")
    _check_changes(folder / "membership_changes.csv")
    last = max(years)
    starts = {(c.iso3, c.day.year): c.day for c in CHANGES if c.kind == "starts"}
    pieces: dict[str, list[list]] = defaultdict(list)  # iso3 -> [start, end, first year, last year]
    for year in sorted(years):
        start = FIRST_DAY if year == min(years) else year_start(year)
        end = None if year == last else year_start(year + 1) - timedelta(days=1)
        for iso3 in years[year]:
            runs = pieces[iso3]
            if runs and runs[-1][3] == year - 1 and (iso3, year) not in starts:
                runs[-1][1], runs[-1][3] = end, year
            else:  # a new term; one that starts within the year (Czechia 2022) also breaks a running one
                runs.append([starts.get((iso3, year), start), end, year, year])
    terms: list[Term] = []
    for iso3, runs in pieces.items():
        for start, end, first, final in runs:
            note, source = [], [f"hrc/membership.csv ({first}-{final})" if first != final
                                 else f"hrc/membership.csv ({first})"]
            for ch in CHANGES:
                if ch.iso3 != iso3:
                    continue
                if ch.kind == "starts" and ch.day == start:
                    pass
                elif ch.kind == "ends" and end is not None and end + timedelta(days=1) == year_start(ch.day.year):
                    end = ch.day  # the state is missing from the list of the year it left
                elif ch.kind == "note" and start <= ch.day and (end is None or ch.day <= end):
                    pass
                else:
                    continue
                note.append(ch.note)
                source.append(ch.source)
            terms.append(Term(iso3, start, end, "; ".join(note), " | ".join(source)))
    _check_changes_applied(terms)
    return tuple(sorted(terms, key=lambda t: (t.iso3, t.start)))


def _check_changes_applied(terms: list[Term]) -> None:
    for ch in CHANGES:
        if not any(t.iso3 == ch.iso3 and ch.note in t.note for t in terms):
            raise ImportFailed(f"membership change {ch.iso3} {ch.kind} {ch.day} fits no term of the table")


def members_on(terms: tuple[Term, ...] | list[Term], day: date) -> frozenset[str]:
    """The members on ``day`` (Libya in 2011 included: see the module docstring)."""
    return frozenset(t.iso3 for t in terms if t.covers(day))


def members_in(terms: tuple[Term, ...] | list[Term], year: int) -> frozenset[str]:
    """Every state that was a member on some day of ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return frozenset(t.iso3 for t in terms if t.start <= last and (t.end is None or t.end >= first))


def write_terms(terms: tuple[Term, ...], path: Path) -> None:
    """The reviewable table ``iso3,start,end,note,source``."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(TERMS_COLUMNS)
        for t in terms:
            writer.writerow([t.iso3, t.start.isoformat(), t.end.isoformat() if t.end else "", t.note, t.source])


def parse_terms(text: str, where: str = "terms.csv") -> tuple[Term, ...]:
    rows = list(csv.DictReader(text.splitlines()))
    terms = []
    for line, row in enumerate(rows, start=2):
        try:
            terms.append(Term(row["iso3"], date.fromisoformat(row["start"]),
                              date.fromisoformat(row["end"]) if row["end"] else None, row["note"], row["source"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise ImportFailed(f"{where}, line {line}: bad term row ({exc})") from None
    return tuple(terms)


def read_terms_csv(path: Path) -> tuple[Term, ...]:
    return parse_terms(Path(path).read_text(encoding="utf-8"), str(path))


@cache
def bundled_terms() -> tuple[Term, ...]:
    """The curated table shipped in ``blocwatch/data/hrc/terms.csv``."""
    return parse_terms(registry.data_path("hrc/terms.csv").read_text(encoding="utf-8"), "data/hrc/terms.csv")
