"""The curated statements: data classes, the YAML reader/validator, the ``Dataset``.

One YAML file per event in ``blocwatch/data/events/`` (written by
:mod:`blocwatch.statements.curate`). :func:`read_event_file` checks every
field and raises :class:`DatasetError` naming the file, the line and what was
expected. :class:`Dataset` is the in-memory collection the analytics work on;
it is built from the store (:func:`blocwatch.statements.load.dataset`) so that
the CLI, the web app and the exports all see the same events.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from blocwatch import registry
from blocwatch.errors import InvalidInput, NotFound
from blocwatch.statements.publishers import PUBLISHERS

SERIES = ("xinjiang",)
FORUMS = {
    "hrc": "Human Rights Council",
    "ga_third_committee": "UN General Assembly Third Committee",
    "letter_hrc_president": "joint letter to the President of the Human Rights Council",
}
STANCES = ("critical", "supportive")
KINDS = ("statement", "letter")
CHANGES = ("joined", "withdrew")


class DatasetError(InvalidInput):
    """A curated event file that is malformed; the message names file, line and problem."""


class EventNotFound(NotFound):
    """An event reference that matches no event (or several); the message names close ids."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source of an event: its address, what it supports, and its publisher kind
    (un, government, ngo, news, mirror: :mod:`blocwatch.statements.publishers`)."""

    url: str
    what: str | None = None
    publisher: str | None = None

    def to_dict(self) -> dict:
        return {"url": self.url, "what": self.what, "publisher": self.publisher}


@dataclass(frozen=True, slots=True)
class Signer:
    """A state named as a signatory of an event.

    ``ordinal`` is its place in the source's list (None when the state is not
    in that list, e.g. Qatar, which withdrew before the final list of the
    July 2019 letter was compiled, or a state another source names outside
    a list cut short: ``also_named`` in the curated file). ``joined_on``/``withdrew_on`` record
    dated changes after delivery; ``note`` quotes the evidence for them.
    """

    iso3: str
    name: str | None
    ordinal: int | None = None
    joined_on: date | None = None
    withdrew_on: date | None = None
    source: str | None = None
    note: str | None = None

    @property
    def standing(self) -> bool:
        """Still a signatory (never withdrew)."""
        return self.withdrew_on is None

    @property
    def at_delivery(self) -> bool:
        """Signed at delivery (did not join later)."""
        return self.joined_on is None


@dataclass(frozen=True, slots=True)
class Event:
    """One event: a joint statement or a joint letter (``kind``), with its signers and sources.

    The domain object; its stored form is :class:`blocwatch.store.models.EventRecord`.
    """

    id: str
    series: str
    kind: str
    title: str
    forum: str
    session: str | None
    date: date
    date_precision: str
    delivered_by: str | None
    delivered_by_text: str | None
    lead: str | None
    lead_text: str | None
    stance: str
    target: str
    topics: tuple[str, ...]
    claimed_count: int | None
    list_complete: bool
    responds_to: str | None
    signers: tuple[Signer, ...]
    sources: tuple[SourceRef, ...]
    notes: str | None = None
    responds_to_basis: SourceRef | None = None

    # -- signatory sets ---------------------------------------------------
    @property
    def signatories(self) -> list[str]:
        """ISO3 of the standing signatories (named, not withdrawn), in source order."""
        return [s.iso3 for s in self.signers if s.standing]

    @property
    def ever_signed(self) -> set[str]:
        """Every state named as having signed at some point (withdrawn ones included)."""
        return {s.iso3 for s in self.signers}

    @property
    def at_delivery(self) -> list[str]:
        """ISO3 of the states that signed at delivery (withdrawn later ones included)."""
        return [s.iso3 for s in self.signers if s.at_delivery]

    @property
    def known_count(self) -> int:
        """Number of standing named signatories."""
        return len(self.signatories)

    @property
    def partial(self) -> bool:
        """True when the named list may miss signatories (list not complete, or fewer names than claimed,
        withdrawn ones counted: they were on the list)."""
        if not self.list_complete:
            return True
        return self.claimed_count is not None and len(self.signers) < self.claimed_count

    @property
    def joined_later(self) -> list[Signer]:
        return [s for s in self.signers if not s.at_delivery]

    @property
    def withdrawn(self) -> list[Signer]:
        return [s for s in self.signers if not s.standing]

    # -- dates ------------------------------------------------------------
    @property
    def date_range(self) -> tuple[dt.date, dt.date]:    # dt: the field ``date`` shadows the type here
        """Earliest and latest possible day (a month-precision date spans its month)."""
        if self.date_precision == "month":
            last = calendar.monthrange(self.date.year, self.date.month)[1]
            return self.date.replace(day=1), self.date.replace(day=last)
        return self.date, self.date

    @property
    def date_text(self) -> str:
        return self.date.strftime("%Y-%m") if self.date_precision == "month" else self.date.isoformat()

    def before(self, other: Event) -> bool:
        """True when this event certainly happened on an earlier day than ``other``."""
        return self.date_range[1] < other.date_range[0]

    def source_for(self, iso3: str) -> str | None:
        for s in self.signers:
            if s.iso3 == iso3:
                return s.source
        return None


@dataclass
class Dataset:
    """The events, sorted by date then id, with look-up by id or unique prefix."""

    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.events.sort(key=lambda e: (e.date, e.id))
        self._by_id = {e.id: e for e in self.events}
        self.aliases = short_aliases(self.ids())
        self._by_alias = {alias: i for i, alias in self.aliases.items()}

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def ids(self) -> list[str]:
        return [e.id for e in self.events]

    def get(self, ref: str) -> Event:
        """The event with id ``ref``, its short alias (``ga76-critical``) or the only id starting with ``ref``.

        Raises :class:`EventNotFound` naming the candidates (several ids share
        the prefix) or the closest ids (rapidfuzz) when nothing matches.
        """
        if ref in self._by_id:
            return self._by_id[ref]
        if ref.lower() in self._by_alias:
            return self._by_id[self._by_alias[ref.lower()]]
        hits = [i for i in self._by_id if i.startswith(ref)] or \
            [self._by_alias[a] for a in self._by_alias if a.startswith(ref.lower())]
        if len(hits) == 1:
            return self._by_id[hits[0]]
        if hits:
            names = [f"{i} ({self.aliases[i]})" for i in hits]
            raise EventNotFound(f"event {ref!r} is ambiguous: it is the start of {len(hits)} events: "
                                + ", ".join(names), close_matches=hits)
        from rapidfuzz import fuzz, process

        choices = {**{i: i for i in self._by_id}, **{a: i for a, i in self._by_alias.items()}}
        close = []
        for key, _score, _ in process.extract(ref, list(choices), scorer=fuzz.WRatio, limit=8):
            if choices[key] not in close:
                close.append(choices[key])
        shown = [f"{self.aliases[i]} ({i})" for i in close[:5]]
        raise EventNotFound(f"no event {ref!r}; close matches: " + ", ".join(shown), close_matches=close[:5])

    def series(self, name: str | None = None) -> list[Event]:
        return [e for e in self.events if name is None or e.series == name]


def short_aliases(ids: list[str]) -> dict[str, str]:
    """``{id: alias}``: each id without its date and the committee mark (``2021-10-21-ga76-3c-critical``
    -> ``ga76-critical``); where two ids would share an alias, both keep their month and day
    (``hrc51-supportive-0913``, ``hrc51-supportive-0926``).
    """
    base = {i: re.sub(r"-3c(?=-|$)", "", re.sub(r"^\d{4}-\d{2}(?:-\d{2})?-", "", i)) for i in ids}
    counts: dict[str, int] = {}
    for alias in base.values():
        counts[alias] = counts.get(alias, 0) + 1
    out = {}
    for i, alias in base.items():
        if counts[alias] > 1:
            day = re.match(r"^\d{4}-(\d{2})(?:-(\d{2}))?", i)
            alias = f"{alias}-{day.group(1)}{day.group(2) or ''}" if day else i
        out[i] = alias
    return out


# ---------------------------------------------------------------------------
# Reading and validating one curated YAML file
# ---------------------------------------------------------------------------

class _Located:
    """A parsed mapping that remembers the line of each key (for error messages)."""

    def __init__(self, path: Path, node: yaml.MappingNode, data: dict):
        self.path = path
        self.data = data
        self.lines = {}
        for key_node, value_node in node.value:
            self.lines[key_node.value] = (key_node.start_mark.line + 1, value_node)

    def line(self, key: str) -> int:
        return self.lines.get(key, (1, None))[0]

    def fail(self, key: str | None, problem: str, line: int | None = None) -> DatasetError:
        where = f"{self.path}:{line or (self.line(key) if key else 1)}"
        return DatasetError(f"{where}: {f'field {key!r}: ' if key else ''}{problem}")


REQUIRED = ("id", "series", "kind", "title", "forum", "date", "stance", "target",
            "signatories", "list_complete", "sources")


def _date(loc: _Located, key: str, text) -> tuple[date, str]:
    if isinstance(text, date):
        return text, "day"
    text = str(text)
    try:
        if len(text) == 7:
            return date.fromisoformat(text + "-01"), "month"
        return date.fromisoformat(text), "day"
    except ValueError:
        raise loc.fail(key, f"expected a date YYYY-MM-DD or YYYY-MM, got {text!r}") from None


def _country(loc: _Located, key: str, code, line: int | None = None) -> str | None:
    if code is None:
        return None
    if not isinstance(code, str) or not registry.exists(code) or code != code.upper():
        raise loc.fail(key, f"expected an ISO3 code of the registry, got {code!r}", line)
    return code


def _required_country(loc: _Located, key: str, code, line: int | None = None) -> str:
    iso3 = _country(loc, key, code, line)
    if iso3 is None:
        raise loc.fail(key, "expected an ISO3 code of the registry, got None", line)
    return iso3


def _item_line(loc: _Located, key: str, index: int) -> int:
    node = loc.lines.get(key, (None, None))[1]
    if isinstance(node, yaml.SequenceNode) and index < len(node.value):
        return node.value[index].start_mark.line + 1
    return loc.line(key)


def parse_event(path: Path, text: str) -> Event:
    """Parse and validate one curated event file's text; :class:`DatasetError` on any problem."""
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = getattr(exc, "position", None)  # a reader error (a character YAML does not allow)
        line = mark.line + 1 if mark else text.count("\n", 0, position) + 1 if position is not None else 1
        problem = getattr(exc, "problem", None) or (f"character {exc.character!r} is not allowed"
                                                    if isinstance(exc, yaml.reader.ReaderError) else exc)
        raise DatasetError(f"{path}:{line}: not valid YAML: {' '.join(str(problem).split())}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise DatasetError(f"{path}:1: expected a mapping of event fields, got {type(data).__name__}")
    loc = _Located(path, node, data)
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise loc.fail(None, "missing required field(s): " + ", ".join(missing))
    if data["id"] != path.stem:
        raise loc.fail("id", f"the id {data['id']!r} must equal the file name {path.stem!r}")
    for key, allowed in (("series", SERIES), ("kind", KINDS), ("forum", FORUMS), ("stance", STANCES)):
        if data[key] not in allowed:
            raise loc.fail(key, f"expected one of {', '.join(allowed)}, got {data[key]!r}")
    when, precision = _date(loc, "date", data["date"])
    claimed = data.get("claimed_count")
    if claimed is not None and (not isinstance(claimed, int) or isinstance(claimed, bool) or claimed < 1):
        raise loc.fail("claimed_count", f"expected a positive integer or null, got {claimed!r}")
    if not isinstance(data["list_complete"], bool):
        raise loc.fail("list_complete", f"expected true or false, got {data['list_complete']!r}")
    topics = data.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise loc.fail("topics", "expected a list of topic names")

    sources = []
    for i, s in enumerate(data["sources"] or []):
        if not isinstance(s, dict) or not isinstance(s.get("url"), str):
            raise loc.fail("sources", "each source needs a 'url'", _item_line(loc, "sources", i))
        publisher = s.get("publisher")
        if publisher is not None and publisher not in PUBLISHERS:
            raise loc.fail("sources", f"publisher {publisher!r}: expected one of {', '.join(PUBLISHERS)}",
                           _item_line(loc, "sources", i))
        sources.append(SourceRef(s["url"], s.get("what"), publisher))
    if not sources:
        raise loc.fail("sources", "at least one source is required")

    signers: dict[str, dict] = {}
    if not isinstance(data["signatories"], list):
        raise loc.fail("signatories", "expected a list of {iso3, name, source}")
    for i, s in enumerate(data["signatories"]):
        line = _item_line(loc, "signatories", i)
        if not isinstance(s, dict) or "iso3" not in s:
            raise loc.fail("signatories", f"item {i + 1}: expected a mapping with 'iso3', got {s!r}", line)
        iso3 = _required_country(loc, "signatories", s["iso3"], line)
        if iso3 in signers:
            raise loc.fail("signatories", f"{iso3} is listed twice", line)
        signers[iso3] = {"iso3": iso3, "name": s.get("name"), "ordinal": i, "source": s.get("source")}

    # States a source names as signatories outside the copied list (e.g. "44 countries including ...
    # UK and the US" beside a list cut short): standing signatories with no place in the list.
    for i, s in enumerate(data.get("also_named") or []):
        line = _item_line(loc, "also_named", i)
        if not isinstance(s, dict) or "iso3" not in s or not isinstance(s.get("source"), str):
            raise loc.fail("also_named", f"item {i + 1}: expected a mapping with 'iso3' and 'source', got {s!r}", line)
        iso3 = _required_country(loc, "also_named", s["iso3"], line)
        if iso3 in signers:
            raise loc.fail("also_named", f"{iso3} is already a signatory", line)
        signers[iso3] = {"iso3": iso3, "name": s.get("name"), "ordinal": None, "source": s["source"],
                         "note": f"named by \"{s.get('quote', '')}\" ({s['source']})"}

    for i, c in enumerate(data.get("changes") or []):
        line = _item_line(loc, "changes", i)
        if not isinstance(c, dict) or c.get("change") not in CHANGES:
            raise loc.fail("changes", f"item {i + 1}: 'change' must be one of {', '.join(CHANGES)}", line)
        if c.get("iso3") is None:
            raise loc.fail("changes", f"item {i + 1}: 'iso3' is required", line)
        iso3 = _required_country(loc, "changes", c["iso3"], line)
        on, _ = _date(loc, "changes", c.get("date"))
        entry = signers.setdefault(iso3, {"iso3": iso3, "name": c.get("name"), "ordinal": None,
                                          "source": c.get("source")})
        entry["joined_on" if c["change"] == "joined" else "withdrew_on"] = on
        note = f"{c['change']} on {on.isoformat()}: \"{c.get('quote', '')}\" ({c.get('source', '')})"
        entry["note"] = f"{entry['note']}; {note}" if entry.get("note") else note

    basis = data.get("responds_to_basis")
    return Event(
        id=data["id"], series=data["series"], kind=data["kind"], title=data["title"], forum=data["forum"],
        session=data.get("session"), date=when, date_precision=precision,
        delivered_by=_country(loc, "delivered_by", data.get("delivered_by")),
        delivered_by_text=data.get("delivered_by_text"),
        lead=_country(loc, "lead", data.get("lead")), lead_text=data.get("lead_text"),
        stance=data["stance"], target=_required_country(loc, "target", data["target"]), topics=tuple(topics),
        claimed_count=claimed, list_complete=data["list_complete"], responds_to=data.get("responds_to"),
        signers=tuple(Signer(**s) for s in signers.values()), sources=tuple(sources),
        notes=data.get("notes"),
        responds_to_basis=SourceRef(basis["url"], basis.get("quote")) if isinstance(basis, dict) else None,
    )


def read_event_file(path: Path) -> Event:
    """Read and validate one curated event file."""
    path = Path(path)
    return parse_event(path, path.read_text(encoding="utf-8"))


def events_folder():
    """The folder of curated event files shipped in the package."""
    return registry.data_path("events")


def read_curated(folder=None) -> list[Event]:
    """Every curated event in ``folder`` (default: the package's), checked for dangling ``responds_to``."""
    folder = Path(str(folder or events_folder()))
    files = sorted(folder.glob("*.yaml"))
    events = [read_event_file(f) for f in files]
    ids = {e.id for e in events}
    for e in events:
        if e.responds_to and e.responds_to not in ids:
            raise DatasetError(f"{folder / (e.id + '.yaml')}: field 'responds_to': no event {e.responds_to!r}")
    return events
