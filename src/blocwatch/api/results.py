"""Typed results of the API: frozen dataclasses whose ``to_dict()`` is the CLI's ``--json``.

Each result is built from the plain dict its domain function computes
(:meth:`Result.from_dict` checks that the keys are exactly the fields, so the
types and the JSON shapes cannot drift apart) and gives that dict back with
:meth:`Result.to_dict`. Attribute access is typed (``summary.claimed_count``);
nested parts stay plain JSON-ready dicts and lists, documented where they are
computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd


@dataclass(frozen=True)
class Result:
    """Base of the API's results."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = [f.name for f in fields(cls) if f.init]
        extra, missing = set(data) - set(names), set(names) - set(data)
        if extra or missing:  # a programming error: the domain function and the result type disagree
            raise TypeError(f"{cls.__name__}: keys differ from the fields (extra {sorted(extra)}, "
                            f"missing {sorted(missing)})")
        return cls(**{n: data[n] for n in names})

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict (the CLI's ``--json``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init and f.repr}

    def to_json(self) -> Any:
        """Exactly what the matching command prints with ``--json`` (for most results, :meth:`to_dict`)."""
        return self.to_dict()


@dataclass(frozen=True)
class EventRow(Result):
    """One line of ``events list``: an event's id, forum, stance, deliverer and counts."""

    id: str
    alias: str | None
    series: str
    date: str
    date_precision: str
    forum: str
    session: str | None
    kind: str
    stance: str
    target: str
    delivered_by: str | None
    delivered_by_text: str
    claimed_count: int | None
    known_count: int
    list_complete: bool
    partial: bool
    responds_to: str | None
    topics: list[Any]
    title: str


@dataclass(frozen=True)
class EventSummary(EventRow):
    """Everything known about one event (``events show``): its :class:`EventRow` fields and the analysis.

    See :func:`blocwatch.statements.analytics.event_summary` for every key.
    """

    forum_name: str
    lead: str | None
    lead_text: str | None
    signatories: list[Any]
    signed_at_delivery: list[Any]
    changes: list[Any]
    unnamed_count: int
    by_group: dict[str, Any]
    groups_covered: int
    covers_all_groups: bool
    first_all_groups: bool
    first_all_groups_caveats: list[Any]
    first_time: list[Any]
    first_time_caveats: list[Any]
    earlier_same_stance: int
    returning: list[Any]
    compared_with: str | None
    joined: list[Any]
    left: list[Any]
    stayed: list[Any]
    joined_uncertain: list[Any]
    left_uncertain: list[Any]
    switchers: list[Any]
    switchers_caveats: list[Any]
    both_sides: list[Any]
    neither_side: list[Any]
    neither_side_certain: bool
    counter: dict[str, Any] | None
    counters: list[Any]
    sources: list[Any]
    publishers: dict[str, int]
    mirror_only: bool
    list_mirror_only: bool
    signatory_sources: dict[str, Any]
    responds_to_basis: dict[str, Any] | None
    caveats: list[Any]


@dataclass(frozen=True)
class EventDiff(Result):
    """Who joined, left and stayed between two events (``diff``); uncertain changes kept apart."""

    a: str
    b: str
    joined: list[Any]
    left: list[Any]
    stayed: list[Any]
    joined_uncertain: list[Any]
    left_uncertain: list[Any]
    a_partial: bool
    b_partial: bool
    caveats: list[Any]


@dataclass(frozen=True)
class CountryHistory(Result):
    """One state's record across the joint statements (``country``), its Council terms and its votes on
    country-situation texts (both forums, newest first; only where it was a member that day)."""

    iso3: str
    name: str
    regional_group: str | None
    signed: dict[str, Any]
    withdrew: list[Any]
    both_sides: bool
    events: list[Any]
    council_terms: list[Any]
    country_votes: list[Any]


@dataclass(frozen=True)
class SeriesSummary(Result):
    """Counts over time by stance and regional group (``events series``)."""

    series: str
    events: int
    by_stance: dict[str, Any]
    partial_events: list[Any]
    timeline: list[Any]
    states: dict[str, Any]
    totals: dict[str, Any]
    latest: dict[str, Any]
    max_claimed: dict[str, Any]


@dataclass(frozen=True)
class Alignment(Result):
    """GA voting of an event's signatories vs. its counter-statement and the rest (``events alignment``)."""

    event: dict[str, Any]
    counter: dict[str, Any] | None
    ga: dict[str, Any]
    reference: dict[str, Any]
    ideal_bins: list[Any]
    groups: dict[str, Any]
    states: list[Any]
    caveats: list[Any]


@dataclass(frozen=True)
class BriefFacts(Result):
    """The facts of a brief, each with its sources (``brief --format json``); :meth:`render` gives the text."""

    event: dict[str, Any]
    title: str
    facts: dict[str, Any]
    sources: list[Any]

    def render(self, fmt: str = "md") -> str:
        """The brief as Markdown (``md``), HTML (``html``) or JSON (``json``) text."""
        from blocwatch.api.options import BriefFormat, choose
        from blocwatch.statements.brief import render_facts

        return render_facts(self.to_dict(), choose(BriefFormat, fmt, "--format").value)

    def write(self, out: Path | str, fmt: str = "md", *, replace: bool = False) -> dict[str, Any]:
        """Write the brief to ``out``; return ``{path, bytes, replaced}``.

        An existing file is replaced only with ``replace`` (:func:`blocwatch.files.check_output`).
        """
        from blocwatch.files import check_output

        out = Path(out)
        text = self.render(fmt)
        replaced = check_output(out, replace=replace)
        out.write_text(text, encoding="utf-8")
        return {"path": str(out), "bytes": len(text.encode()), "replaced": replaced}


@dataclass(frozen=True)
class EventMatrix(Result):
    """The state x event table journalists paste into a spreadsheet (``events matrix``).

    ``states``: ``[{iso3, name, regional_group, status, cells: {event id: status}}]``
    with a status from ``statuses`` (see :func:`blocwatch.statements.analytics.event_matrix`).
    """

    series: str | None
    events: list[str]
    aliases: dict[str, str | None]
    statuses: list[str]
    states: list[dict[str, Any]]

    def frame(self) -> pd.DataFrame:
        """One row per state, one column per event (named by its alias), the status in each cell."""
        import pandas as pd

        return pd.DataFrame([{"iso3": r["iso3"], "name": r["name"], "regional_group": r["regional_group"],
                              **{self.aliases.get(e) or e: r["cells"][e] for e in self.events}}
                             for r in self.states])


@dataclass(frozen=True)
class AddedEvent(Result):
    """A new event from its text (``events add``): what was found and whether it was stored.

    ``signatories``: ``[{iso3, name, text}]`` in list order; ``unresolved``:
    fragments inside the list that name no state; ``yaml``: the event in the
    curated file format (to contribute it to the bundled data).
    """

    id: str
    stored: bool
    date: str
    forum: str
    stance: str
    claimed_count: int | None
    found_count: int
    list_complete: bool
    signatories: list[dict[str, Any]]
    unresolved: list[str]
    problems: list[str]
    yaml: str

    def write_yaml(self, out: Path | str, *, replace: bool = False) -> bool:
        """Write the event in the curated file format (to contribute it to the bundled data); True if replaced."""
        from blocwatch.files import check_output

        replaced = check_output(Path(out), replace=replace)
        Path(out).write_text(self.yaml, encoding="utf-8")
        return replaced


@dataclass(frozen=True)
class ExportReport(Result):
    """What ``export`` wrote: the format, the path and the rows of each table."""

    format: str
    path: str
    tables: dict[str, int]
    replaced: bool


@dataclass(frozen=True)
class Overview(Result):
    """The main job (``run``): the registry, the stored votes per forum, the latest critical statement's brief,
    the series."""

    registry: dict[str, Any]
    latest_critical: str | None
    brief: dict[str, Any] | None
    series: dict[str, Any]
    votes: dict[str, Any]


@dataclass(frozen=True)
class AgreementScores(Result):
    """Agreement between pairs of states per year or session (``agreement``).

    ``frame``: one row per pair and period (columns ``a, b, <by>, n, same,
    half, identical, opposite, agree, agree_half, coincidence``), sorted by
    agreement then joint votes. ``to_json()`` gives the rows the CLI prints.
    """

    by: str
    period: int | None
    issue: str | None
    important: bool
    lineage: bool
    frame: pd.DataFrame = field(repr=False, compare=False)
    forum: str = "ga"

    def rows(self) -> list[dict[str, Any]]:
        import math

        def num(v: Any) -> float | None:
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

        # Any: pandas-stubs types itertuples fields as a union of every scalar type.
        records: Iterable[Any] = self.frame.itertuples(index=False)
        return [{"a": str(r.a), "b": str(r.b), self.by: int(getattr(r, self.by)), "n": int(r.n),
                 "agree": num(r.agree), "agree_half": num(r.agree_half), "coincidence": num(r.coincidence)}
                for r in records]

    def to_dict(self) -> dict[str, Any]:
        return {"forum": self.forum, "by": self.by, "period": self.period, "issue": self.issue,
                "important": self.important, "lineage": self.lineage, "rows": self.rows()}

    def to_json(self) -> Any:
        """What ``blocwatch agreement --json`` prints: :meth:`rows` (``to_dict()`` adds the selection)."""
        return self.rows()

    def write(self, out: Path, *, replace: bool = False) -> dict[str, Any]:
        """Write every row to ``out`` (.csv, .csv.gz or .parquet); return what was written."""
        from blocwatch.files import table_writer

        replaced = Path(out).exists()
        write = table_writer(out, (".csv", ".csv.gz", ".parquet"), replace=replace)
        write(self.frame)
        pairs = int(self.frame[["a", "b"]].drop_duplicates().shape[0])
        period = self.frame[self.by]
        return {"out": str(out), "rows": len(self.frame), "pairs": pairs, "replaced": replaced,
                self.by + "s": [int(period.min()), int(period.max())] if len(self.frame) else []}


@dataclass(frozen=True)
class RollCallRecord(Result):
    """One recorded vote in full (``votes show``): tallies stated and counted, each state's position
    grouped by regional group, sponsors, notes and sources. See :func:`blocwatch.votes.read.show`."""

    rcid: int
    forum: str
    forum_name: str
    symbol: str | None
    date: str | None
    session: int
    session_name: str | None
    title: str | None
    kind: str | None
    adopted: bool | None
    draft: str | None
    agenda_item: str | None
    committee: str | None
    meeting: str | None
    subject: str | None
    target: str | None
    target_name: str | None
    yes_stance: str | None
    classified_by: str | None
    stated: dict[str, int] | None
    counted: dict[str, int]
    lists: bool
    tally_matches: bool | None
    by_group: dict[str, dict[str, int]]
    positions: list[dict[str, Any]]
    sponsors: list[dict[str, Any]]
    sponsors_text: list[str]
    subjects: list[str]
    issues: list[str]
    notes: list[dict[str, Any]]
    sources: list[dict[str, Any]]

    def position_of(self, iso3: str) -> str | None:
        return next((p["position"] for p in self.positions if p["iso3"] == iso3), None)


@dataclass(frozen=True)
class VoteSearch(Result):
    """Roll calls matching a search (``votes search``), newest first; ``total`` counts all matches, ``hits``
    holds at most the limit. With a state, each hit has that state's ``position``."""

    filters: dict[str, Any]
    total: int
    hits: list[dict[str, Any]]


@dataclass(frozen=True)
class CouncilMembers(Result):
    """The members of the Human Rights Council on a day (``hrc members``), by regional group."""

    forum: str
    on: str
    members: list[dict[str, Any]]
    by_group: dict[str, int]


@dataclass(frozen=True)
class VoteImport(Result):
    """What an import of roll calls changed (``votes import-dgacm``, ``votes add``)."""

    files: list[str]
    roll_calls_read: int
    duplicates: int
    roll_calls_added: int
    roll_calls_merged: int
    roll_calls_replaced: int
    roll_calls_unchanged: int
    votes_added: int
    votes_changed: int
    notes_added: int
    disagreements: list[str]
    changes: list[str]
    notes: list[str]


@dataclass(frozen=True)
class DatabaseCopy(Result):
    """What ``db copy`` copied (passwords in the URLs hidden): rows per table, in the order written."""

    source: str
    destination: str
    schema_revision: str
    replaced: bool
    tables: dict[str, int]
    rows: int


@dataclass(frozen=True)
class BackupFile(Result):
    """A backup written by ``backup``: its file, size and SHA-256 of its content, rows per table."""

    database: str
    file: str
    schema_revision: str
    tables: dict[str, int]
    rows: int
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Restored(Result):
    """What ``restore`` wrote into the database: rows per table, from which file."""

    database: str
    file: str
    schema_revision: str
    replaced: bool
    tables: dict[str, int]
    rows: int
