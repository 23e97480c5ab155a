"""The checked country-situation votes of 2019-2024 and their merge with the OHCHR records.

Source: ``hrc/votes/index.csv`` (``file,symbol,date,session,title,yes,no,
abstain,adopted,source_url,verification``) and one file per vote
(``iso3,name,vote``, ``vote`` in yes/no/abstain), each checked against an
announced tally (``verification`` says how; ``source_url`` lists the sources,
``|``-separated). ``excluded.csv`` lists the votes left out and why; it is
not read here.

Merge rule: the checked list wins. A state whose checked vote differs from
the OHCHR record gets the checked vote and a ``checked_override`` note; a
state the OHCHR record lists as yes/no/abstain but the checked list omits is
dropped, with a note. "Not voting" rows of the OHCHR record stay (the
checked lists record only yes, no and abstain). The announced tally becomes
the roll call's ``stated`` tally. A checked vote missing from the OHCHR
records (the procedural vote of 28 February 2022 on holding an urgent debate
on Ukraine) becomes its own roll call, kind ``motion``, with the symbol
``HRC49/2022-02-28/motion``: the session, the date and the kind (the vote
has no document symbol; the file name is kept in ``where``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from blocwatch import registry
from blocwatch.errors import ImportFailed
from blocwatch.votes.record import POSITION_NAMES, Note, RollCall, Tally

CHECKED_CODES = {"yes": 1, "abstain": 2, "no": 3}
INDEX_COLUMNS = ("file", "symbol", "date", "session", "title", "yes", "no", "abstain", "adopted", "source_url",
                 "verification")


@dataclass(frozen=True)
class CheckedVote:
    file: str
    symbol: str | None        # None: no document symbol (procedural vote)
    date: date
    session_name: str
    title: str
    stated: Tally
    adopted: bool | None
    sources: tuple[str, ...]
    verification: str
    positions: dict[str, int]
    names: dict[str, str]

    @property
    def key(self) -> str:
        """The symbol, or one made from the session, the date and the file name's slug."""
        if self.symbol:
            return self.symbol
        return f"{self.session_name.replace(' ', '')}/{self.date.isoformat()}/motion"


def _session_name(text: str) -> str:
    m = re.fullmatch(r"HRC(?: special session)? ?(S-\d+|\d+)", text.strip())
    if not m:
        raise ValueError(f"bad session {text!r}")
    return f"HRC {m.group(1)}" if m.group(1).startswith("S-") else f"HRC{m.group(1)}"


def _read_file(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file (named in index.csv)")
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != ("iso3", "name", "vote"):
            raise ImportFailed(f"{path}: columns must be iso3,name,vote, not {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            iso3, vote = (row["iso3"] or "").strip().upper(), (row["vote"] or "").strip().lower()
            if not registry.exists(iso3):
                raise ImportFailed(f"{path}, line {line}: unknown ISO3 code {iso3!r}")
            if vote not in CHECKED_CODES:
                raise ImportFailed(f"{path}, line {line}: vote must be yes, no or abstain, not {row['vote']!r}")
            if iso3 in positions:
                raise ImportFailed(f"{path}, line {line}: {iso3} listed twice")
            positions[iso3], names[iso3] = CHECKED_CODES[vote], row["name"]
    return positions, names


def read_checked(folder: Path) -> list[CheckedVote]:
    """The checked votes of ``folder`` (``hrc/votes``), in index order."""
    folder = Path(folder)
    index = folder / "index.csv"
    out = []
    with index.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(INDEX_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ImportFailed(f"{index}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                stated = Tally(int(row["yes"]), int(row["no"]), int(row["abstain"]))
                day = date.fromisoformat(row["date"])
                sname = _session_name(row["session"])
            except ValueError as exc:
                raise ImportFailed(f"{index}, line {line}: {exc}") from None
            positions, names = _read_file(folder / row["file"])
            symbol = row["symbol"].strip()
            out.append(CheckedVote(
                file=row["file"], symbol=symbol if symbol.startswith("A/HRC/") else None, date=day,
                session_name=sname, title=row["title"], stated=stated,
                adopted={"true": True, "false": False}.get(row["adopted"].strip().lower()),
                sources=tuple(s.strip() for s in row["source_url"].split("|") if s.strip()),
                verification=row["verification"], positions=positions, names=names,
            ))
    return out


def _name(code: int | None) -> str:
    return "absent" if code is None else POSITION_NAMES[code]


def merge(scraped: list[RollCall], checked: list[CheckedVote]) -> list[RollCall]:
    """``scraped`` with the checked lists applied, plus the checked votes the scrape lacks."""
    by_symbol = {rc.symbol: i for i, rc in enumerate(scraped)}
    out = list(scraped)
    for cv in checked:
        source = cv.sources[0] if cv.sources else cv.file
        if cv.key not in by_symbol:
            out.append(RollCall(
                forum="hrc", symbol=cv.key, date=cv.date, session=cv.date.year, session_name=cv.session_name,
                title=cv.title, kind="resolution" if cv.symbol else "motion", adopted=cv.adopted,
                stated=cv.stated, positions=dict(cv.positions), names=dict(cv.names),
                where=f"votes/{cv.file}",
            ))
            continue
        rc = out[by_symbol[cv.key]]
        positions, names, notes = dict(rc.positions), dict(rc.names), list(rc.notes)
        for iso3 in sorted(set(positions) | set(cv.positions)):
            old, new = positions.get(iso3), cv.positions.get(iso3)
            if old == new or (new is None and old == 8):
                continue
            notes.append(Note("checked_override", f"{iso3} was {_name(old)} in the OHCHR scrape, {_name(new)} in"
                                                  f" the checked list (source {source})", iso3))
            if new is None:
                del positions[iso3]
                names.pop(iso3, None)
            else:
                positions[iso3] = new
                names.setdefault(iso3, cv.names[iso3])
        out[by_symbol[cv.key]] = replace(rc, positions=positions, names=names, stated=cv.stated, notes=tuple(notes),
                                         where=f"{rc.where}; votes/{cv.file}")
    return out
