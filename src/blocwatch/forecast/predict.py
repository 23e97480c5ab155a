"""One forecast: how each member would vote on a text critical of a target, as of a day, and what follows.

The model (:mod:`.model`) is fitted on the training rows dated before the
day (:mod:`.training`); the members' features and records come from the
history cut at the day (:meth:`History.before`). Nothing dated on or after
the day is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from blocwatch import registry
from blocwatch.errors import NoData
from blocwatch.forecast.evidence import reasons, record
from blocwatch.forecast.features import FEATURES, GROUPS, Block, block
from blocwatch.forecast.history import CLASSES, Cut, History
from blocwatch.forecast.metrics import rounded
from blocwatch.forecast.model import Fitted, VoteModel
from blocwatch.forecast.tally import Tally, moves, spread, tally
from blocwatch.forecast.training import Training

SWING_CERTAINTY = 0.8   # a member whose likeliest vote has at least this chance is not a swing vote
SWING_MOVES = 0.02      # ... nor one whose vote moves P(adopted) by less than this
FEW_VOTES = 30          # a forecast learned from fewer earlier votes says so
SWING_LIMIT = 10        # the swing list names at most this many (every member's ``moves`` is in its forecast)
FAMILY = {name: ("same" if name.startswith(("same_", "last_same_")) else "all" if name.startswith(("all_", "like_"))
                 else "group" if name.startswith("group_same") or name in GROUPS or name == "same_group"
                 else "ga" if name.startswith("ga_") else "statements" if name.startswith("stmt_")
                 else "target" if name == "is_target" else "text" if name == "supportive_text" else "blocs")
          for name in FEATURES}


@dataclass(frozen=True)
class MemberForecast:
    iso3: str
    name: str
    group: str | None
    p: tuple[float, float, float]   # yes, abstain, no
    predicted: str
    reasons: tuple[str, ...]
    moves: float                    # P(adopted | it votes yes) - P(adopted | it votes no)
    record: dict = field(repr=False)

    def to_dict(self) -> dict:
        return {"iso3": self.iso3, "name": self.name, "group": self.group, "p_yes": self.p[0],
                "p_abstain": self.p[1], "p_no": self.p[2], "predicted": self.predicted,
                "reasons": list(self.reasons), "moves": self.moves, "record": self.record}


@dataclass(frozen=True)
class Forecast:
    """What ``blocwatch forecast`` answers (``to_dict``: its JSON)."""

    forum: str
    target: str
    target_name: str
    as_of: dt.date
    members: tuple[MemberForecast, ...]
    tally: Tally
    swing: tuple[str, ...]
    spread: float
    sponsors: tuple[str, ...]
    training: dict
    notes: tuple[str, ...] = ()

    @property
    def p_adopted(self) -> float:
        return self.tally.p_adopted

    def member(self, iso3: str) -> MemberForecast:
        return next(m for m in self.members if m.iso3 == iso3)

    def to_json(self) -> dict:
        """Exactly what the command prints with ``--json`` (the same as :meth:`to_dict`)."""
        return self.to_dict()

    def to_dict(self) -> dict:
        t = self.tally.to_dict()
        return rounded({"forum": self.forum, "target": self.target, "target_name": self.target_name,
                        "as_of": self.as_of.isoformat(), "members": [m.to_dict() for m in self.members],
                        "tally": {k: v for k, v in t.items() if k != "p_adopted"}, "p_adopted": self.p_adopted,
                        "swing": list(self.swing), "spread": self.spread, "likely_sponsors": list(self.sponsors),
                        "training": self.training, "notes": list(self.notes)})


def explain(cut: Cut, b: Block, fitted: Fitted, p: np.ndarray, moved: np.ndarray | None = None
            ) -> list[MemberForecast]:
    """Each member's forecast with its reasons: the feature families that pushed its likeliest vote hardest,
    each told from its record (:mod:`.evidence`)."""
    target_name = registry.get(b.target).name
    out = []
    for i, iso3 in enumerate(b.states):
        k = int(np.argmax(p[i]))
        push = fitted.contributions(b.X[i], k)
        weight: dict[str, float] = {}
        for j, name in enumerate(FEATURES):
            weight[FAMILY[name]] = weight.get(FAMILY[name], 0.0) + abs(float(push[j]))
        families = sorted((f for f in weight if weight[f] > 0.05 and (f != "target" or iso3 == b.target)),
                          key=lambda f: -weight[f])
        rec = record(cut, b.target, iso3, b.sponsors)
        country = registry.get(iso3)
        out.append(MemberForecast(iso3, country.name, country.regional_group,
                                  (float(p[i, 0]), float(p[i, 1]), float(p[i, 2])), CLASSES[k],
                                  tuple(reasons(rec, families[:4], target_name)),
                                  float(moved[i]) if moved is not None else 0.0, rec))
    return out


def fit(training: Training, as_of: dt.date, model: VoteModel | None = None) -> tuple[Fitted, float]:
    """The model fitted on the votes before ``as_of``, and the spread of the shared shift (:mod:`.tally`)."""
    past = training.before(as_of)
    if not past.any():
        raise NoData(f"no recorded country-text vote before {as_of} to learn from")
    y = training.y[past].astype(np.int64)
    fitted = (model or VoteModel()).fit(training.X[past], y)
    return fitted, spread(fitted.predict_proba(training.X[past]), y, training.rcid[past])


def forecast(history: History, training: Training, target: str, members: list[str], as_of: dt.date,
             model: VoteModel | None = None, fitted: tuple[Fitted, float] | None = None) -> Forecast:
    """Each of ``members`` on a text critical of ``target``, as known on the morning of ``as_of``."""
    model_fit, shared = fitted or fit(training, as_of, model)
    cut = history.before(as_of)
    b = block(cut, target, members)
    p = model_fit.predict_proba(b.X)
    t = tally(p, shared)
    moved = moves(p, shared)
    out = explain(cut, b, model_fit, p, moved)
    target_name = registry.get(target).name
    uncertain = [m for m in out if max(m.p) < SWING_CERTAINTY and m.moves >= SWING_MOVES]
    swing = tuple(m.iso3 for m in sorted(uncertain, key=lambda m: (-m.moves, m.iso3))[:SWING_LIMIT])
    past = training.before(as_of)
    about = cut.about.get(target)
    notes = []
    if about is None:
        notes.append(f"no {history.forum.upper()} vote on a text about {target_name} is recorded before {as_of}: "
                     "the forecast rests on the members' votes on other country texts, their statements, GA "
                     "agreement, groups and blocs")
    learned = int(len(np.unique(training.rcid[past])))
    if learned < FEW_VOTES:
        notes.append(f"learned from only {learned} earlier vote{'s' if learned != 1 else ''}: too few to know "
                     "how far to trust these numbers")
    training_info = {"votes": learned, "rows": int(past.sum()),
                     "first": str(training.day[past].min()), "last": str(training.day[past].max()),
                     "texts_about_target": 0 if about is None else int(len(about))}
    return Forecast(history.forum, target, target_name, as_of, tuple(out), t, swing, shared, b.sponsors,
                    training_info, tuple(notes))
