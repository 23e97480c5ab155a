"""The "who do we call next" list: the states not yet on board, ranked by their chance of voting yes.

On board: the signers of the latest joint statement critical of the
target made before the day whose list is complete (none when there was
none; a later statement whose list is partial is named in ``notes``). The others, among
the members of the forum that day (the Council's members, or every UN
member for the General Assembly), are ranked by the model's P(yes) on a
text critical of the target (:mod:`.predict`), each with its reasons and
what it would add to the regional spread of the coalition: "adds the first
Latin American and Caribbean signer", or "3rd signer from the African
Group".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from blocwatch import registry
from blocwatch.forecast.features import block
from blocwatch.forecast.history import History
from blocwatch.forecast.metrics import rounded
from blocwatch.forecast.model import Fitted
from blocwatch.forecast.predict import MemberForecast, explain, fit
from blocwatch.forecast.training import Training


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Candidate:
    forecast: MemberForecast
    adds: str
    first_in_group: bool

    def to_dict(self) -> dict:
        f = self.forecast
        return {"iso3": f.iso3, "name": f.name, "group": f.group, "p_yes": f.p[0], "p_abstain": f.p[1],
                "p_no": f.p[2], "adds": self.adds, "first_in_group": self.first_in_group,
                "reasons": list(f.reasons)}


@dataclass(frozen=True)
class Campaign:
    """What ``blocwatch campaign`` answers (``to_dict``: its JSON)."""

    forum: str
    target: str
    target_name: str
    as_of: dt.date
    statement: dict | None
    on_board: tuple[str, ...]
    by_group: dict[str, int]
    candidates: tuple[Candidate, ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Exactly what the command prints with ``--json`` (the same as :meth:`to_dict`)."""
        return self.to_dict()

    def to_dict(self) -> dict:
        return rounded({"forum": self.forum, "target": self.target, "target_name": self.target_name,
                        "as_of": self.as_of.isoformat(), "statement": self.statement,
                        "on_board": list(self.on_board), "on_board_by_group": self.by_group,
                        "candidates": [c.to_dict() for c in self.candidates], "notes": list(self.notes)})


def campaign(history: History, training: Training, target: str, members: list[str], as_of: dt.date,
             fitted: tuple[Fitted, float] | None = None) -> Campaign:
    """Rank ``members`` not on board (see the module docstring) for a text critical of ``target``."""
    cut = history.before(as_of)
    latest = cut.latest_statement("critical", target, complete=True)
    newest = cut.latest_statement("critical", target)
    notes = []
    if newest is not None and newest is not latest:
        notes.append(f"the latest critical statement, {newest.id} ({newest.when or newest.date}), names only "
                     f"{len(newest.signers)} signers (its list is partial), so the last complete list is used")
    on_board = sorted(latest.signers) if latest else []
    by_group = {g: 0 for g in registry.GROUPS}
    for iso3 in on_board:
        group = registry.group_of(iso3) if registry.exists(iso3) else None
        if group:
            by_group[group] += 1
    others = [m for m in members if m not in set(on_board) and m != target]
    model, _ = fitted or fit(training, as_of)
    b = block(cut, target, others)
    p = model.predict_proba(b.X)
    ranked = sorted(explain(cut, b, model, p), key=lambda f: (-f.p[0], f.iso3))
    out = []
    for f in ranked:
        have = by_group.get(f.group, 0) if f.group else 0
        label = registry.GROUPS.get(f.group, "no regional group") if f.group else "no regional group"
        adds = f"adds the first {label} signer" if f.group and not have else \
            f"{_ordinal(have + 1)} signer from the {label}" if f.group else "outside the regional groups"
        out.append(Candidate(f, adds, bool(f.group) and not have))
    statement = None if latest is None else {"id": latest.id, "date": latest.when or latest.date.isoformat(),
                                             "title": latest.title, "signers": len(latest.signers)}
    return Campaign(history.forum, target, registry.get(target).name, as_of, statement, tuple(on_board), by_group,
                    tuple(out), tuple(notes))
