"""The backtest: every country-text vote from a year on, forecast as of the day before, next to the baselines.

For each day with such a vote, the model is fitted on the votes before
that day (the training rows dated earlier, whose features were themselves
computed from what was known before *their* day, :mod:`.training`) and
forecasts the states that voted; so do the baselines (:mod:`.baselines`).
Scores (:mod:`.metrics`) are given per vote, per year and overall; per
vote also the tally error (the mean, over yes, abstain and no, of the
distance between the expected and the real count), whether the outcome
was called (P(adopted) above one half when more voted yes than no), and
whether each count fell in its 80 % interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from blocwatch.forecast import baselines
from blocwatch.forecast.history import ABSTAIN, NO, YES, History
from blocwatch.forecast.metrics import calibration, rounded, scores
from blocwatch.forecast.model import VoteModel
from blocwatch.forecast.tally import spread, tally
from blocwatch.forecast.training import Training

MODEL = "model"


@dataclass(frozen=True)
class Backtest:
    """What :func:`run` measured (``to_dict`` is the JSON of ``blocwatch backtest --json``)."""

    forum: str
    start: dt.date
    votes: list[dict]
    overall: dict
    by_year: dict
    baselines: dict
    calibration: list[dict]
    targets: dict = field(default_factory=dict)

    def markdown(self) -> str:
        """The report of ``blocwatch backtest --report FILE.md``."""
        from blocwatch.forecast.report import markdown

        return markdown(self)

    def to_json(self) -> dict:
        """Exactly what the command prints with ``--json`` (the same as :meth:`to_dict`)."""
        return self.to_dict()

    def to_dict(self) -> dict:
        return rounded({"forum": self.forum, "from": self.start.isoformat(), "votes": self.votes,
                        "overall": self.overall, "by_year": self.by_year, "baselines": self.baselines,
                        "calibration": self.calibration, "targets": self.targets})


def _actual(p: np.ndarray, critical: bool) -> np.ndarray:
    """Probabilities of the text's own yes/abstain/no (a supportive text's yes is the oriented no)."""
    return p if critical else p[:, (NO, ABSTAIN, YES)]


def _vote_scores(p: np.ndarray, y: np.ndarray, critical: bool, shared: float) -> dict:
    own_p = _actual(p, critical)
    own_y = y if critical else np.asarray([NO, ABSTAIN, YES])[y]
    cast = np.bincount(own_y, minlength=3)
    t = tally(own_p, shared)
    expected = np.asarray([t.yes, t.abstain, t.no])
    s = scores(p, y)
    inside = [lo <= c <= hi for c, (lo, hi) in zip(cast, (t.yes_interval, t.abstain_interval, t.no_interval),
                                                     strict=True)]
    return {"accuracy": s["accuracy"], "log_loss": s["log_loss"], "brier": s["brier"],
            "tally_error": float(np.abs(expected - cast).mean()), "p_adopted": t.p_adopted,
            "adopted": bool(cast[YES] > cast[NO]), "outcome_hit": (t.p_adopted > 0.5) == bool(cast[YES] > cast[NO]),
            "in_interval": int(sum(inside)), "tally": {"yes": int(cast[YES]), "abstain": int(cast[ABSTAIN]),
                                                  "no": int(cast[NO])},
            "expected": {"yes": t.yes, "abstain": t.abstain, "no": t.no}}


def _summary(p: np.ndarray, y: np.ndarray, per_vote: list[dict]) -> dict:
    out = scores(p, y)
    if per_vote:
        out["votes"] = len(per_vote)
        out["tally_error"] = float(np.mean([v["tally_error"] for v in per_vote]))
        out["outcome_hit_rate"] = float(np.mean([v["outcome_hit"] for v in per_vote]))
        out["interval_coverage"] = float(np.sum([v["in_interval"] for v in per_vote]) / (3 * len(per_vote)))
    return out


def run(history: History, training: Training, start: dt.date, model: VoteModel | None = None,
        progress: Callable[[int, int], None] | None = None) -> Backtest:
    """Forecast every country-text vote from ``start`` on, as of the day before, and score it."""
    model = model or VoteModel()
    names = (MODEL, *baselines.NAMES)
    probs: dict[str, list[np.ndarray]] = {n: [] for n in names}
    ys: list[np.ndarray] = []
    years: list[np.ndarray] = []
    per_vote: dict[str, list[dict]] = {n: [] for n in names}
    rows_out: list[dict] = []
    days = [d for d in history.vote_days(start) if training.before(d).any()]
    fitted = None
    for step, day in enumerate(days):
        past, now = training.before(day), training.on(day)
        fitted = model.fit(training.X[past], training.y[past].astype(np.int64), start=fitted)
        p_now = {MODEL: fitted.predict_proba(training.X[now]), **baselines.predict(training, past, now)}
        y_past = training.y[past].astype(np.int64)
        p_past = {MODEL: fitted.predict_proba(training.X[past]), **baselines.predict(training, past, past)}
        shared = {n: spread(p_past[n], y_past, training.rcid[past]) for n in names}
        y_now = training.y[now].astype(np.int64)
        rc_now = training.rcid[now]
        texts = history.texts_on(day)
        for n in names:
            probs[n].append(p_now[n])
        ys.append(y_now)
        years.append(np.full(len(y_now), day.year))
        for i, rcid in enumerate(texts.rcid.tolist()):
            at = rc_now == rcid
            if not at.any():
                continue
            critical = bool(texts.critical[i])
            for n in names:
                per_vote[n].append(_vote_scores(p_now[n][at], y_now[at], critical, shared[n]) | {"year": day.year})
            row = per_vote[MODEL][-1]
            rows_out.append({"id": texts.symbol[i] or str(rcid), "rcid": rcid, "date": day.isoformat(),
                             "target": texts.target[i], "title": texts.title[i],
                             "yes_stance": "critical" if critical else "supportive", "voters": int(at.sum()),
                             **{k: v for k, v in row.items() if k != "year"}})
        if progress:
            progress(step + 1, len(days))
    if not ys:
        from blocwatch.errors import NoData

        raise NoData(f"no {history.forum} country-text vote from {start} on has earlier votes to learn from")
    y = np.concatenate(ys)
    year = np.concatenate(years)
    stacked = {n: np.vstack(probs[n]) for n in names}
    overall = _summary(stacked[MODEL], y, per_vote[MODEL])
    by_year = {}
    for yr in sorted(set(year.tolist())):
        at = year == yr
        by_year[str(yr)] = _summary(stacked[MODEL][at], y[at], [v for v in per_vote[MODEL] if v["year"] == yr])
    base = {n: _summary(stacked[n], y, per_vote[n]) for n in baselines.NAMES}
    cal = calibration(stacked[MODEL], y)
    return Backtest(history.forum, start, rows_out, overall, by_year, base, cal, _targets(overall, base, cal))


def _targets(overall: dict, base: dict, cal: list[dict]) -> dict:
    """The issue's targets, each met or not: beat every baseline on log loss, accuracy, no-F1 and abstain-F1;
    calibrated within 10 points in every band holding at least 50 forecasts."""
    def beats(metric: str, lower: bool) -> dict:
        mine = overall[metric] if "." not in metric else overall["f1"][metric.split(".")[1]]
        others = {n: (b[metric] if "." not in metric else b["f1"][metric.split(".")[1]]) for n, b in base.items()}
        best = min(others.values()) if lower else max(others.values())
        return {"model": mine, "best_baseline": best, "met": mine < best if lower else mine > best}

    bands = [b for b in cal if b["n"] >= 50]
    worst = max((abs(b["gap"]) for b in bands), default=0.0)
    return {"log_loss": beats("log_loss", True), "accuracy": beats("accuracy", False),
            "f1_no": beats("f1.no", False), "f1_abstain": beats("f1.abstain", False),
            "calibration": {"bands_checked": len(bands), "worst_gap": worst, "met": worst <= 0.10}}
