"""The closed sets of option values, as Enums shared by the API, the CLI and the web app.

Every API function accepts the Enum member or its value in any case
(``"MD"``, ``"weog"``); :func:`choose` turns either into the member, or
raises :class:`~blocwatch.errors.InvalidInput` naming the allowed values and
the closest one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from blocwatch.errors import InvalidInput


class Choice(StrEnum):
    """Base of the option enums: compares and prints as its value."""


class Group(Choice):
    african = "african"
    asia_pacific = "asia_pacific"
    eastern_european = "eastern_european"
    latin_american_caribbean = "latin_american_caribbean"
    weog = "weog"


class Stance(Choice):
    critical = "critical"
    supportive = "supportive"


class Forum(Choice):
    hrc = "hrc"
    ga_third_committee = "ga_third_committee"
    letter_hrc_president = "letter_hrc_president"


class Role(Choice):
    """An account's role on a team server: viewer (reads), editor (also edits), admin (also manages accounts)."""

    viewer = "viewer"
    editor = "editor"
    admin = "admin"


class CampaignStatus(Choice):
    """A state's status in a stored campaign (:mod:`blocwatch.team.campaigns`)."""

    not_contacted = "not_contacted"
    contacted = "contacted"
    considering = "considering"
    committed = "committed"
    declined = "declined"


class VoteForum(Choice):
    """The bodies whose recorded votes are stored: the General Assembly and the Human Rights Council."""

    ga = "ga"
    hrc = "hrc"


class TextSubject(Choice):
    """What a voted text is about: one country's situation, or a theme."""

    country = "country"
    thematic = "thematic"


class BriefFormat(Choice):
    md = "md"
    html = "html"
    json = "json"


class ExportFormat(Choice):
    csv = "csv"
    json = "json"
    parquet = "parquet"
    sqlite = "sqlite"


class IdealDynamics(Choice):
    """Ideal-point estimates per session (``static``) or linked across sessions (``dynamic``)."""

    static = "static"
    dynamic = "dynamic"


class IdealModel(Choice):
    """How a vote is modelled: yes/abstain/no ordered (``ordered``) or yes/no (``binary``)."""

    ordered = "ordered"
    binary = "binary"


class IdealMethod(Choice):
    """Estimator: the posterior mode (``mode``) or mean-field variational Bayes (``vb``, binary model)."""

    mode = "mode"
    vb = "vb"


class Issue(Choice):
    """The unvotes issue codes (see :data:`blocwatch.ga.votes.ISSUES`)."""

    me = "me"
    nu = "nu"
    di = "di"
    co = "co"
    hr = "hr"
    ec = "ec"


class ImportKind(Choice):
    unvotes = "unvotes"
    rda = "rda"
    undl = "undl"


class Overlap(Choice):
    """Sessions a UN Digital Library import shares with stored unvotes data: leave out or import too."""

    skip = "skip"
    keep = "keep"


class ParseMode(Choice):
    auto = "auto"
    text = "text"


class Period(Choice):
    year = "year"
    session = "session"


E = TypeVar("E", bound=Choice)


def choose(kind: type[E], value: E | str, option: str | None = None) -> E:
    """``value`` as a member of ``kind`` (case-insensitive); InvalidInput with the allowed values otherwise."""
    if isinstance(value, kind):
        return value
    text = str(value).strip().lower()
    for member in kind:
        if member.value == text:
            return member
    allowed = [m.value for m in kind]
    from rapidfuzz import process

    close = [c for c, score, _ in process.extract(text, allowed, limit=1) if score >= 60]
    name = option or kind.__name__
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise InvalidInput(f"{name} {value!r}: expected one of {', '.join(allowed)}{hint}", close_matches=close)


def choose_optional(kind: type[E], value: E | str | None, option: str | None = None) -> E | None:
    return None if value is None else choose(kind, value, option)
