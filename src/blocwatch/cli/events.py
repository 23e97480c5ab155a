"""``blocwatch events``, ``diff``, ``country``, ``brief``, ``export``: joint statements on the command line.

A thin layer over :mod:`blocwatch.statements` (analytics, brief, export).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from blocwatch import registry
from blocwatch.cli import app, state
from blocwatch.cli.output import JSON_OPTION, console, fail, print_json

events_app = typer.Typer(help="Joint statements and letters (the Xinjiang series).", no_args_is_help=True)
app.add_typer(events_app, name="events")


def _ds():
    from blocwatch.statements.load import dataset

    return dataset(state.engine())


def _guard(fn, *args, **kwargs):
    """Call an API function; turn look-up errors into a clear CLI error (exit 2)."""
    from blocwatch.statements.dataset import EventNotFound

    try:
        return fn(*args, **kwargs)
    except (EventNotFound, KeyError, ValueError) as exc:
        fail(str(exc).strip("'\""), 2)


@events_app.command("list")
def events_list(
    series: str | None = typer.Option(None, "--series", "-s", help="Only this series (e.g. xinjiang)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List events by date: claimed and named signatories, deliverer, counter-statement tie."""
    from blocwatch.statements.analytics import list_events

    rows = _guard(list_events, _ds(), series)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} events", caption="* partial list: fewer names known than claimed")
    table.add_column("Id", no_wrap=True)
    for col in ("Forum", "Stance", "By", "Claimed / named", "Answers"):
        table.add_column(col, no_wrap=col != "Answers")
    for r in rows:
        table.add_row(r["id"], _FORUMS.get(r["forum"], r["forum"]), r["stance"], r["delivered_by"] or "—",
                      _counts(r), r["responds_to"] or "")
    console.print(table)


_FORUMS = {"hrc": "HRC", "ga_third_committee": "GA 3rd C.", "letter_hrc_president": "letter"}


def _counts(r: dict) -> str:
    """"claimed / named" of an event row, "?" for an unstated claim, "*" after a partial list."""
    claimed = r["claimed_count"] if r["claimed_count"] is not None else "?"
    return f"{claimed} / {r['known_count']}" + ("*" if r["partial"] else "")


def _names(codes: list[str]) -> str:
    return ", ".join(codes) if codes else "—"


@events_app.command("show")
def events_show(
    event: str = typer.Argument(..., help="Event id or unique prefix."),
    against: str | None = typer.Option(None, "--against", help="Compare with this event instead of the previous one."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One event: signatories by regional group, first-time signers, joined/left, switchers, counter."""
    from blocwatch.statements.analytics import event_summary

    s = _guard(event_summary, _ds(), event, against)
    if as_json:
        print_json(s)
        return
    console.print(f"[bold]{s['id']}[/]  {s['title']}")
    console.print(f"{s['date']} · {s['forum_name']} {s['session'] or ''} · {s['stance']} · delivered by "
                  f"{s['delivered_by'] or '—'} ({s['delivered_by_text']})")
    console.print(f"claimed {s['claimed_count'] if s['claimed_count'] is not None else '—'}, named {s['known_count']}"
                  + (" [yellow](partial list)[/]" if s["partial"] else ""))
    table = Table(title="Named signatories by regional group")
    table.add_column("Group")
    table.add_column("Named", justify="right")
    for g, n in s["by_group"].items():
        table.add_row(registry.GROUPS.get(g, "no group"), str(n))
    console.print(table)
    console.print(f"groups covered: {s['groups_covered']}/5; first to cover all five: {s['first_all_groups']}"
                  + (f" (first known; could change: {', '.join(s['first_all_groups_caveats'])})"
                     if s["first_all_groups_caveats"] else ""))
    for key in ("first_time", "returning", "joined", "left", "joined_uncertain", "left_uncertain",
                "switchers", "both_sides"):
        console.print(f"[bold]{key}[/]: {_names(s[key])}")
    console.print(f"compared with: {s['compared_with'] or '—'}")
    if s["counter"]:
        c = s["counter"]
        console.print(f"counter ({c['tie']}): {c['id']} by {c['delivered_by'] or '—'}, claimed "
                      f"{c['claimed_count']}, named {c['known_count']}")
    for c in s["caveats"]:
        console.print(f"[yellow]caveat[/]: {c}", highlight=False)


@events_app.command("alignment")
def events_alignment(
    event: str = typer.Argument(..., help="Event id or unique prefix."),
    model: str = typer.Option("static", "--model", "-m", help="Ideal points: static (one session) or dynamic "
                                                               "(all sessions on one scale; ~20 s)."),
    session: int | None = typer.Option(None, "--session", "-s", help="GA session to use (default: the latest "
                                                                     "that opened by the event's year)."),
    all_states: bool = typer.Option(False, "--all-states", help="List every state, not only the signatories."),
    as_json: bool = JSON_OPTION,
) -> None:
    """GA voting of an event's signatories vs. the counter-statement and the rest: ideal points, agreement with China and the US."""
    from blocwatch.statements.alignment import NoVotes, event_alignment, fmt_ideal, fmt_share

    try:
        a = _guard(event_alignment, state.engine(), event, ds=_ds(), model=model, session=session)
    except NoVotes as exc:
        fail(str(exc), 1)
    if as_json:
        print_json(a)
        return
    ga = a["ga"]
    console.print(f"[bold]{a['event']['id']}[/] ({a['event']['stance']}, {a['event']['date']})", highlight=False)
    console.print(f"{ga['label']}; {ga['model']} model"
                  + (f"; the event is {ga['years_after_data']} year{'s' if ga['years_after_data'] != 1 else ''} after those votes"
                     if ga["years_after_data"] else ""),
                  highlight=False)
    ref = a["reference"]
    console.print(f"China {fmt_ideal(ref['CHN']['ideal'])}, United States {fmt_ideal(ref['USA']['ideal'])} "
                  "(ideal points; United States positive)", highlight=False)
    table = Table(title="By side: means (--json for medians, quartiles, histograms)",
                  caption="* partial list: named states only. US>CN: voted with the US more often than with China")
    for col in ("Side", "Named", "Scored", "Ideal", "Agr CHN", "Agr USA", "Coin CHN", "Coin USA", "US>CN"):
        table.add_column(col, justify="left" if col == "Side" else "right", no_wrap=True)
    labels = {"signatories": "signatories", "counter": "counter", "neither_side": "neither"}
    for side, g in a["groups"].items():
        if g is None:
            continue
        n = g["closer_to_usa"] + g["closer_to_chn"] + g["equally_close"]
        table.add_row(labels[side] + ("*" if g.get("partial") else ""), str(g["named"]), str(g["scored"]),
                      fmt_ideal(g["ideal"]["mean"]),
                      *[fmt_share(g[k]["mean"]) for k in ("agree_chn", "agree_usa", "coincidence_chn", "coincidence_usa")],
                      f"{g['closer_to_usa']}/{n}")
    console.print(table)
    rows = [r for r in a["states"] if all_states or r["signatory"]]
    per = Table(title=f"{'All states' if all_states else 'Signatories'} ({len(rows)})")
    cols = ["ISO3", *(["Side"] if all_states else []), "Ideal", "SE", "Agr CHN", "Agr USA", "Coin CHN", "Coin USA"]
    for col in cols:
        per.add_column(col, justify="left" if col in ("ISO3", "Side") else "right", no_wrap=True)
    for r in rows:
        side = "both" if r["signatory"] and r["counter"] else \
            "signatory" if r["signatory"] else "counter" if r["counter"] else "neither"
        per.add_row(r["iso3"], *([side] if all_states else []), fmt_ideal(r["ideal"]),
                    "–" if r["ideal_se"] is None else f"{r['ideal_se']:.2f}",
                    *[fmt_share(r[k]) for k in ("agree_chn", "agree_usa", "coincidence_chn", "coincidence_usa")])
    console.print(per)
    for r in rows:
        if r["no_score"]:
            console.print(f"{r['iso3']} ({r['name']}): no score: {r['no_score']}", highlight=False)
    for c in a["caveats"]:
        console.print(f"[yellow]caveat[/]: {c['text']}", highlight=False)


@events_app.command("series")
def events_series(
    series: str = typer.Argument("xinjiang", help="Series name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Counts over time by stance and regional group."""
    from blocwatch.statements.analytics import series_summary

    s = _guard(series_summary, _ds(), series)
    if as_json:
        print_json(s)
        return
    print_series(s)


def print_series(s: dict) -> None:
    table = Table(title=f"Series {s['series']}: {s['events']} events "
                        f"({s['by_stance']['critical']} critical, {s['by_stance']['supportive']} supportive)")
    for col in ("Event", "Claim/named", "AFR", "APG", "EEG", "LAC", "WEOG"):
        table.add_column(col, no_wrap=True)
    for r in s["timeline"]:
        table.add_row(r["id"], _counts(r), *[str(r["by_group"][g]) for g in registry.GROUPS])
    console.print(table)
    t = s["totals"]
    console.print(f"states ever named: {t['critical_named']} critical, {t['supportive_named']} supportive; "
                  f"named on both sides: {', '.join(t['both_sides']) or '—'}")
    console.print(f"* partial list ({len(s['partial_events'])} events): group columns count named signatories only.")


@app.command("diff")
def diff_cmd(
    a: str = typer.Argument(..., help="First event (id or unique prefix)."),
    b: str = typer.Argument(..., help="Second event."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Who joined, left and stayed between two events (uncertain changes shown apart)."""
    from blocwatch.statements.analytics import diff

    d = _guard(diff, _ds(), a, b)
    if as_json:
        print_json(d)
        return
    console.print(f"[bold]{d['a']}[/] → [bold]{d['b']}[/]")
    for key in ("joined", "left", "stayed", "joined_uncertain", "left_uncertain"):
        console.print(f"[bold]{key}[/] ({len(d[key])}): {_names(d[key])}")
    for c in d["caveats"]:
        console.print(f"[yellow]caveat[/]: {c}", highlight=False)


@app.command("country")
def country_cmd(
    iso3: str = typer.Argument(..., help="ISO3 code or name of a state."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A state's positions across the joint statements."""
    from blocwatch.names import try_resolve
    from blocwatch.statements.analytics import country_history

    if registry.exists(iso3):
        code = iso3.upper()
    else:
        found = try_resolve(iso3)
        if found.iso3 is None:
            fail(found.message, 2)
        code = found.iso3
    h = _guard(country_history, _ds(), code)
    if as_json:
        print_json(h)
        return
    table = Table(title=f"{h['name']} ({h['iso3']}): signed {h['signed']['critical']} critical, "
                        f"{h['signed']['supportive']} supportive")
    for col in ("Event", "Date", "Stance", "Status"):
        table.add_column(col)
    for r in h["events"]:
        table.add_row(r["id"], r["date"], r["stance"], r["status"] + (f" {r['change_date']}" if r["change_date"] else ""))
    console.print(table)
    console.print("not_named = the list is partial, so whether it signed is unknown; absent = complete list without it.")


@app.command("brief")
def brief_cmd(
    event: str = typer.Argument(..., help="Event id or unique prefix."),
    fmt: str = typer.Option("md", "--format", "-f", help="md, html or json."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A factual brief on one event, every fact linked to its source."""
    from blocwatch.statements.brief import render

    text = _guard(render, _ds(), event, "json" if as_json else fmt, engine=state.engine())
    typer.echo(text, nl=False)


@app.command("export")
def export_cmd(
    fmt: str = typer.Option(..., "--format", "-f", help="csv, json, parquet or sqlite."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (json, sqlite) or folder (csv, parquet)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Export events, positions, countries and sources with a data dictionary and provenance notes."""
    from blocwatch.statements.export import export

    result = _guard(export, state.engine(), fmt, out)
    if as_json:
        print_json(result)
        return
    console.print(f"wrote {fmt} to {result['path']}: " + ", ".join(f"{k} {v}" for k, v in result["tables"].items()))
