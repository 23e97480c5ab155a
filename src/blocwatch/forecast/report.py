"""The backtest as a Markdown report (``blocwatch backtest --report FILE.md``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blocwatch.forecast.baselines import NAMES

if TYPE_CHECKING:
    from blocwatch.forecast.backtest import Backtest

MODEL = "model"  # the key of the model's scores (:data:`blocwatch.forecast.backtest.MODEL`)

LABELS = {MODEL: "**model**", "most_common": "most common vote", "group_shares": "regional group's shares",
          "own_last": "own last vote on the target", "statements": "joint-statement rule",
          "ga_neighbour": "GA-agreement nearest neighbour"}


def _row(name: str, s: dict) -> str:
    f1 = s["f1"]
    return (f"| {LABELS.get(name, name)} | {s['accuracy']:.3f} | {s['log_loss']:.3f} | {s['brier']:.3f} | "
            f"{f1['yes']:.3f} | {f1['abstain']:.3f} | {f1['no']:.3f} | {s['tally_error']:.2f} | "
            f"{s['outcome_hit_rate']:.3f} | {s['interval_coverage']:.2f} |")


def markdown(b: Backtest) -> str:
    o = b.overall
    forum = {"hrc": "Human Rights Council", "ga": "General Assembly"}.get(b.forum, b.forum)
    lines = [f"# Backtest: {forum} country-text votes from {b.start}", "",
             f"{o['votes']} recorded votes, {o['n']} state votes (yes, abstain or no), each forecast as of the day "
             "before from earlier data only. Yes means the critical side (on a supportive text, a no).", "",
             "| forecaster | accuracy | log loss | Brier | F1 yes | F1 abstain | F1 no | tally error | outcome hit "
             "| 80 % interval coverage |", "|---|---|---|---|---|---|---|---|---|---|", _row(MODEL, o)]
    lines += [_row(n, b.baselines[n]) for n in NAMES]
    lines += ["", "## Targets", ""]
    for name, t in b.targets.items():
        if name == "calibration":
            lines.append(f"- calibration: worst gap {t['worst_gap']:.3f} over {t['bands_checked']} bands of at least "
                         f"50 forecasts (target 0.10): {'met' if t['met'] else 'NOT met'}")
        else:
            better = "lower" if name == "log_loss" else "higher"
            lines.append(f"- {name.replace('_', ' ')}: model {t['model']:.4f}, best baseline {t['best_baseline']:.4f}"
                         f" ({better} is better): {'met' if t['met'] else 'NOT met'}")
    lines += ["", "## Calibration (all three classes pooled)", "", "| band | forecasts | mean predicted | observed |",
              "|---|---|---|---|"]
    for band in b.calibration:
        lo, hi = band["band"]
        if band["n"]:
            lines.append(f"| {lo:.1f}–{hi:.1f} | {band['n']} | {band['predicted']:.3f} | {band['observed']:.3f} |")
        else:
            lines.append(f"| {lo:.1f}–{hi:.1f} | 0 | — | — |")
    lines += ["", "## By year", "", "| year | votes | accuracy | log loss | F1 abstain | F1 no | outcome hit |",
              "|---|---|---|---|---|---|---|"]
    for year, s in b.by_year.items():
        lines.append(f"| {year} | {s['votes']} | {s['accuracy']:.3f} | {s['log_loss']:.3f} | "
                     f"{s['f1']['abstain']:.3f} | {s['f1']['no']:.3f} | {s['outcome_hit_rate']:.3f} |")
    misses = [v for v in b.votes if not v["outcome_hit"]]
    lines += ["", f"## Outcomes called wrongly ({len(misses)} of {len(b.votes)})", ""]
    for v in misses:
        t = v["tally"]
        lines.append(f"- {v['date']} {v['id']} ({v['target']}): P(adopted) {v['p_adopted']:.2f}; cast "
                     f"{t['yes']}-{t['no']}-{t['abstain']}")
    return "\n".join(lines) + "\n"
