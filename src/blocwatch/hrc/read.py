"""Read the Human Rights Council's membership and recorded votes, 2006-2024, into one classified whole.

:func:`read_hrc` ties the pieces together: the terms
(:mod:`blocwatch.hrc.membership`), the OHCHR records
(:mod:`blocwatch.hrc.ohchr`), the checked votes merged over them
(:mod:`blocwatch.hrc.checked`) and the classification
(:mod:`blocwatch.hrc.classify`). It then checks every roll call against the
membership of its day: a state with a position that was not a member then
gets a ``not_a_member`` note. With the terms as curated, the notes fall on
2011-03-25, 2016-09-27 and 2022-07-07 (voter lists of the wrong year in the
records, as the data README says) and on 2018-07-05/06, where the records
still list the United States, which withdrew on 19 June 2018, as "not
voting". Members of the day without a row are absent: they are not stored
(:func:`absent` computes them; ``votes show`` does the same from the terms).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from blocwatch.hrc.checked import merge, read_checked
from blocwatch.hrc.classify import classify, read_overrides
from blocwatch.hrc.membership import Term, members_on, read_terms
from blocwatch.hrc.ohchr import read_ohchr
from blocwatch.votes.record import POSITION_NAMES, Note, RollCall


@dataclass(frozen=True)
class HrcRead:
    """Everything read: ``roll_calls`` (by date, then symbol), ``terms``, the checked votes' ``sources`` and
    ``verification`` (how each was checked) per symbol, and ``counts``."""

    roll_calls: tuple[RollCall, ...]
    terms: tuple[Term, ...]
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    verification: dict[str, str] = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


def _term_hint(terms: tuple[Term, ...], iso3: str, rc: RollCall) -> str:
    own = [t for t in terms if t.iso3 == iso3]
    before = [t for t in own if t.end is not None and t.end < rc.date]
    after = [t for t in own if t.start > rc.date]
    if before and (rc.date - before[-1].end).days <= 90:  # type: ignore[operator]
        return f"; its term ended on {before[-1].end}" + (f" ({before[-1].note})" if before[-1].note else "")
    if after and (after[0].start - rc.date).days <= 366:
        return f"; its term began on {after[0].start}"
    return ""


def flag_non_members(rc: RollCall, terms: tuple[Term, ...]) -> RollCall:
    """``rc`` with a ``not_a_member`` note for every state with a position that was not a member that day."""
    members = members_on(terms, rc.date)
    notes = [
        Note("not_a_member", f"{iso3} is recorded as {POSITION_NAMES[code]} on {rc.date} but was not a member of"
                             f" the Council that day{_term_hint(terms, iso3, rc)}", iso3)
        for iso3, code in sorted(rc.positions.items()) if iso3 not in members
    ]
    return replace(rc, notes=rc.notes + tuple(notes)) if notes else rc


def absent(rc: RollCall, terms: tuple[Term, ...]) -> frozenset[str]:
    """Members of the day with no row on ``rc``."""
    return members_on(terms, rc.date) - set(rc.positions)


def count(roll_calls: tuple[RollCall, ...], sources: dict[str, tuple[str, ...]]) -> dict:
    notes = Counter(n.kind for rc in roll_calls for n in rc.notes)
    flagged = sorted({rc.date.isoformat() for rc in roll_calls if any(n.kind == "not_a_member" for n in rc.notes)})
    return {
        "roll_calls": len(roll_calls),
        "checked": len(sources),
        "kinds": dict(sorted(Counter(rc.kind for rc in roll_calls).items())),
        "subjects": dict(sorted(Counter(str(rc.subject) for rc in roll_calls).items())),
        "yes_stances": dict(sorted(Counter(str(rc.yes_stance) for rc in roll_calls).items())),
        "targets": dict(sorted(Counter(rc.target for rc in roll_calls if rc.target).items())),
        "notes": dict(sorted(notes.items())),
        "not_a_member_dates": flagged,
        "without_positions": sorted(rc.symbol for rc in roll_calls if not rc.positions),
    }


def assemble(roll_calls: list[RollCall], terms: tuple[Term, ...], sources: dict[str, tuple[str, ...]],
             verification: dict[str, str]) -> HrcRead:
    ordered = tuple(sorted(roll_calls, key=lambda rc: (rc.date, rc.symbol)))
    return HrcRead(ordered, terms, dict(sorted(sources.items())), dict(sorted(verification.items())),
                   count(ordered, sources))


def read_hrc(folder: Path, overrides_path: Path | None = None) -> HrcRead:
    """Read ``folder`` (a sources folder's ``hrc/``): membership, OHCHR records, checked votes; classify; flag."""
    folder = Path(folder)
    terms = read_terms(folder)
    checked = read_checked(folder / "votes")
    merged = merge(read_ohchr(folder / "ohchr_votes.sqlite3"), checked)
    overrides = read_overrides(overrides_path)
    unknown = set(overrides) - {rc.symbol for rc in merged}
    if unknown:
        from blocwatch.errors import ImportFailed

        raise ImportFailed(f"classification overrides name symbol(s) not in the records: {sorted(unknown)}")
    roll_calls = [flag_non_members(classify(rc, overrides), terms) for rc in merged]
    return assemble(roll_calls, terms, {cv.key: cv.sources for cv in checked},
                    {cv.key: cv.verification for cv in checked})
