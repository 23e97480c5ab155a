"""The record behind a state's forecast, with dates: what its reasons quote. Read from a :class:`Cut` only."""

from __future__ import annotations

import datetime as dt

import numpy as np

from blocwatch import blocs, registry
from blocwatch.forecast.features import GA_WINDOW_DAYS, ga_agreement
from blocwatch.forecast.history import CLASSES, MISSING, Cut

CRITICAL_SIDE = {"yes": "the critical side", "abstain": "abstained", "no": "against the critical side"}


def _votes(cut: Cut, col: int, rows: np.ndarray) -> dict:
    cast = [(int(r), int(cut.texts.votes[r, col])) for r in rows.tolist() if cut.texts.votes[r, col] != MISSING]
    counts = {name: sum(1 for _, v in cast if v == k) for k, name in enumerate(CLASSES)}
    out: dict = {"votes": len(cast), **counts}
    if cast:
        r, v = cast[-1]
        out["last"] = {"symbol": cut.texts.symbol[r], "date": str(cut.texts.date[r]), "title": cut.texts.title[r],
                       "target": cut.texts.target[r], "vote": CLASSES[v],
                       "yes_stance": "critical" if cut.texts.critical[r] else "supportive"}
    return out


def record(cut: Cut, target: str, iso3: str, sponsors: tuple[str, ...]) -> dict:
    """One state's record as known before ``cut.day``: its votes on texts about ``target`` and on all country
    texts (yes meaning the critical side), the statements it signed, its GA agreement, group and blocs."""
    col = cut.index.get(iso3)
    out: dict = {"group": registry.group_of(iso3) if registry.exists(iso3) else None,
                 "blocs": list(blocs.of(iso3, cut.day)) if registry.exists(iso3) else []}
    rows = cut.about.get(target, np.empty(0, np.int64))
    if col is not None:
        out["same_target"] = _votes(cut, col, rows)
        out["country_texts"] = _votes(cut, col, np.arange(len(cut.texts)))
    else:
        out["same_target"] = out["country_texts"] = {"votes": 0, "yes": 0, "abstain": 0, "no": 0}
    out["statements"] = [{"id": s.id, "date": _when(s), "stance": s.stance, "target": s.target,
                          "title": s.title} for s in cut.statements if iso3 in s.signers
                         and s.target == target]
    latest = {"critical": cut.latest_statement("critical", complete=True),
              "supportive": cut.latest_statement("supportive")}
    # "signed": named on it; with a partial list (complete False) not being named says nothing
    out["latest_statements"] = {stance: {"id": s.id, "date": _when(s), "target": s.target,
                                         "signed": iso3 in s.signers, "complete": s.complete,
                                         "named": len(s.signers)}
                                for stance, s in latest.items() if s is not None}
    start = cut.day - dt.timedelta(days=GA_WINDOW_DAYS)
    window = cut.ga.window(np.datetime64(start, "D"), np.datetime64(cut.day, "D"))
    ga: dict = {"from": start.isoformat(), "to": (cut.day - dt.timedelta(days=1)).isoformat(),
                "roll_calls": int(len(window))}
    t_col = cut.index.get(target)
    if col is not None and len(window):
        if t_col is not None:
            score, joint = ga_agreement(window, np.asarray([col]), np.asarray([t_col]))
            ga["with_target"] = None if joint[0, 0] < 10 else round(float(score[0, 0]), 4)
            ga["joint_votes_with_target"] = int(joint[0, 0])
        if sponsors:
            cols = np.asarray([cut.index[s] for s in sponsors], dtype=np.int64)
            score, joint = ga_agreement(window, np.asarray([col]), cols)
            ok = joint[0] >= 10
            ga["with_sponsors"] = round(float(score[0, ok].mean()), 4) if ok.any() else None
    out["ga_agreement"] = ga
    return out


def _when(s) -> str:
    """A statement's date as recorded (a month-dated one: its month, not the last day it can have been on)."""
    return s.when or s.date.isoformat()


def reasons(rec: dict, families: list[str], target_name: str) -> list[str]:
    """Sentences, most telling first (``families``: feature families ranked by how much they moved the forecast)."""
    out: list[str] = []
    for family in families:
        sentence = _sentence(rec, family, target_name)
        if sentence and sentence not in out:
            out.append(sentence)
    return out


def _name(iso3: str) -> str:
    return registry.get(iso3).name if registry.exists(iso3) else iso3


def _counts(v: dict) -> str:
    return f"{v['yes']} yes, {v['abstain']} abstain, {v['no']} no"


def _latest(stance: str, v: dict) -> str:
    """Whether a state signed the latest statement of a stance: a state not named on a partial list may have."""
    what = f"the latest joint statement {stance} of {_name(v['target'])}"
    if v["signed"]:
        return f"signed {what} ({v['date']})"
    if v.get("complete", True):
        return f"did not sign {what} ({v['date']})"
    n = v.get("named", 0)
    return f"not named on {what} ({v['date']}; its list names only {n} signer{'' if n == 1 else 's'})"


def _sentence(rec: dict, family: str, target_name: str) -> str | None:
    if family == "same":
        v = rec["same_target"]
        if not v["votes"]:
            return None  # said once for all in the forecast's notes, or the state is new to the body
        last = v["last"]
        texts = "text" if v["votes"] == 1 else "texts"
        return (f"on {v['votes']} earlier {texts} about {target_name}: {_counts(v)} (critical side = yes); last: "
                f"{last['vote']} on {last['symbol']} ({last['date']})")
    if family == "all":
        v = rec["country_texts"]
        if not v["votes"]:
            return "no earlier recorded vote on any country text"
        return f"on all {v['votes']} earlier country texts: {_counts(v)}; last: {v['last']['vote']} on " \
               f"{v['last']['symbol']} ({v['last']['date']})"
    if family == "statements":
        signed = rec["statements"]
        if signed:
            s = signed[-1]
            return f"signed the {s['stance']} joint statement on {target_name} of {s['date']} ({s['id']})" + \
                (f" and {len(signed) - 1} earlier" if len(signed) > 1 else "")
        latest = rec["latest_statements"]
        parts = [_latest(stance, v) for stance, v in latest.items()]
        return "; ".join(parts) if parts else None
    if family == "ga":
        ga = rec["ga_agreement"]
        bits = []
        if ga.get("with_target") is not None:
            bits.append(f"{ga['with_target']:.0%} with {target_name}")
        if ga.get("with_sponsors") is not None:
            bits.append(f"{ga['with_sponsors']:.0%} with the likely sponsors")
        return f"GA agreement {ga['from']} to {ga['to']}: " + ", ".join(bits) if bits else None
    if family == "group":
        group = registry.GROUPS.get(rec["group"], rec["group"]) if rec["group"] else "no regional group"
        return f"regional group: {group}"
    if family == "blocs":
        names = [blocs.BLOCS[b] for b in rec["blocs"]]
        return "member of " + ", ".join(names) if names else "in none of the EU, the OIC, the Arab League"
    if family == "target":
        return f"the text is about {target_name} itself"
    return None
