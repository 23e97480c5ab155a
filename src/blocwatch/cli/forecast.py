"""``blocwatch forecast``, ``backtest`` and ``campaign``: vote forecasts (``bw.forecast``, ``bw.backtest``,
``bw.campaign``)."""

from __future__ import annotations

from pathlib import Path

import typer

from blocwatch.api.options import VoteForum
from blocwatch.cli.output import JSON_OPTION, bw, emit_table, err_console, print_json, say
from blocwatch.cli.root import app
from blocwatch.cli.votes import GROUP_NAMES
from blocwatch.errors import InvalidInput

FORUM = typer.Option(VoteForum.hrc, "--forum", "-f", case_sensitive=False,
                     help="hrc (Human Rights Council, the default) or ga (General Assembly).")
AS_OF = typer.Option(None, "--as-of", metavar="DATE",
                     help="Use only what was known before this day (YYYY-MM-DD; default: today).")
MEMBERS = typer.Option(None, "--members", metavar="FILE", help="The members who vote: one state per line.")


def _pct(p: float) -> str:
    return f"{p:.0%}"


@app.command("forecast")
def forecast_command(
    target: str = typer.Option(..., "--target", "-t", metavar="STATE", help="The state the text is critical of."),
    forum: VoteForum = FORUM,
    year: int | None = typer.Option(None, "--year", help="The Council's members of this year."),
    members: Path | None = MEMBERS,
    as_of: str | None = AS_OF,
    as_json: bool = JSON_OPTION,
) -> None:
    """How each member would vote on a text critical of TARGET: probabilities, the likely tally with 80 %
    intervals, P(adopted) and the swing votes, each with the record behind it."""
    f = bw().forecast(target, forum=forum.value, as_of=as_of, year=year, members=members)
    if as_json:
        print_json(f.to_dict())
        return
    t = f.tally
    say(f"Forecast: a {f.forum.upper()} text critical of {f.target_name} ({f.target}), as known on {f.as_of}")
    say(f"Learned from {f.training['votes']} earlier country-text votes ({f.training['first']} to "
        f"{f.training['last']}); {f.training['texts_about_target']} about {f.target_name}.")
    for note in f.notes:
        say(f"Note: {note}")
    say(f"Likely tally: {t.yes:.0f} yes ({t.yes_interval[0]}–{t.yes_interval[1]}), {t.no:.0f} no "
        f"({t.no_interval[0]}–{t.no_interval[1]}), {t.abstain:.0f} abstain ({t.abstain_interval[0]}–"
        f"{t.abstain_interval[1]}) — 80 % intervals")
    say(f"P(adopted): {_pct(f.p_adopted)}")
    say("")
    rows = [(m.iso3, m.name, GROUP_NAMES.get(m.group or "none", m.group), _pct(m.p[0]), _pct(m.p[1]),
             _pct(m.p[2]), m.predicted, m.reasons[0] if m.reasons else "")
            for m in sorted(f.members, key=lambda m: (-m.p[0], m.iso3))]
    emit_table(["ISO3", "State", "Group", "yes", "abstain", "no", "Likely", "Main reason"], rows,
               numeric=["yes", "abstain", "no"], wrap=["Main reason", "State"])
    if f.swing:
        say("")
        say("Swing votes (uncertain members, by how much their vote moves P(adopted)):")
        for iso3 in f.swing:
            m = f.member(iso3)
            say(f"  {m.name} ({iso3}): moves P(adopted) by {m.moves:.0%}; yes {_pct(m.p[0])}, abstain "
                f"{_pct(m.p[1])}, no {_pct(m.p[2])}")
            for reason in m.reasons:
                say(f"    - {reason}")
    else:
        say("No swing votes: every member's likeliest vote has at least 80 % chance.")


@app.command("backtest")
def backtest_command(
    forum: VoteForum = FORUM,
    start: str = typer.Option("2010", "--from", metavar="YEAR|DATE",
                              help="Forecast the votes from this year (or day, YYYY-MM-DD) on."),
    report: Path | None = typer.Option(None, "--report", metavar="FILE.md", help="Also write a Markdown report."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an existing --report file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Forecast every country-text vote from --from on as of the day before (earlier data only), and score the
    model next to the baselines: accuracy, F1 per class, log loss, Brier score, tally error, calibration."""
    from rich.progress import Progress

    from blocwatch.files import check_output, suffix_of

    if report is not None:
        try:
            suffix_of(report, (".md",))
            check_output(report, replace=replace)
        except InvalidInput as e:  # the checks name the usual option, --out: this one is --report
            raise InvalidInput(e.message.replace("--out ", "--report ", 1)) from None
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("backtest", total=None)
        b = bw().backtest(forum=forum.value, start=int(start) if start.isdigit() else start,
                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    if report is not None:
        existed = report.exists()
        report.write_text(b.markdown(), encoding="utf-8")
        err_console.print(f"{'replaced' if existed else 'wrote'} {report}", markup=False, highlight=False)
    if as_json:
        print_json(b.to_dict())
        return
    o = b.overall
    say(f"Backtest: {o['votes']} {b.forum.upper()} country-text votes from {b.start}, {o['n']} state votes, each "
        "forecast as of the day before")
    rows = [(name, s["accuracy"], s["log_loss"], s["brier"], s["f1"]["yes"], s["f1"]["abstain"], s["f1"]["no"],
             s["tally_error"], s["outcome_hit_rate"]) for name, s in (("model", o), *b.baselines.items())]
    emit_table(["forecaster", "accuracy", "log loss", "Brier", "F1 yes", "F1 abstain", "F1 no", "tally error",
                "outcome hit"], rows, numeric=["accuracy", "log loss", "Brier", "F1 yes", "F1 abstain", "F1 no",
                                               "tally error", "outcome hit"],
               show=lambda v: f"{v:.3f}" if isinstance(v, float) else str(v))
    for name, t in b.targets.items():
        if name == "calibration":
            say(f"calibration: worst gap {t['worst_gap']:.3f} in {t['bands_checked']} bands of ≥ 50 forecasts "
                f"(target ≤ 0.10): {'met' if t['met'] else 'NOT met'}")
        else:
            say(f"{name}: model {t['model']:.3f}, best baseline {t['best_baseline']:.3f}: "
                f"{'met' if t['met'] else 'NOT met'}")
    say(f"80 % intervals held the real count {o['interval_coverage']:.0%} of the time.")


@app.command("campaign")
def campaign_command(
    target: str = typer.Option(..., "--target", "-t", metavar="STATE", help="The state the text is critical of."),
    forum: VoteForum = FORUM,
    as_of: str | None = AS_OF,
    members: Path | None = MEMBERS,
    limit: int = typer.Option(15, "--limit", min=1, help="How many states to list (--json: all)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Who to call next: the states not yet on board (not signers of the latest critical statement on TARGET),
    ranked by their chance of voting yes, with the reasons and what each adds to the regional spread."""
    c = bw().campaign(target, forum=forum.value, as_of=as_of, members=members)
    if as_json:
        print_json(c.to_dict())
        return
    if c.statement:
        groups = ", ".join(f"{GROUP_NAMES.get(g, g)} {n}" for g, n in c.by_group.items())
        say(f"On board: the {c.statement['signers']} named signers of {c.statement['id']} ({c.statement['date']}): "
            f"{groups}")
    else:
        say(f"No joint statement critical of {c.target_name} before {c.as_of}: nobody is on board yet.")
    for note in c.notes:
        say(f"Note: {note}")
    rows = [(x.forecast.iso3, x.forecast.name, _pct(x.forecast.p[0]), x.adds,
             x.forecast.reasons[0] if x.forecast.reasons else "") for x in c.candidates[:limit]]
    emit_table(["ISO3", "State", "P(yes)", "Adds", "Main reason"], rows, numeric=["P(yes)"],
               wrap=["State", "Adds", "Main reason"],
               title=f"Who to call next on {c.target_name} ({c.forum.upper()}, as of {c.as_of})")
