"""``blocwatch events``, ``diff``, ``country``, ``brief``, ``export``: joint statements (``bw.events``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from blocwatch import registry
from blocwatch.api.options import BriefFormat, ExportFormat, Forum, IdealDynamics, Stance
from blocwatch.cli.output import (
    CSV_OPTION,
    JSON_OPTION,
    REPLACE_OUT_OPTION,
    bw,
    console,
    emit_table,
    one_format,
    print_json,
    say,
)
from blocwatch.cli.root import app
from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    from blocwatch.api.results import SeriesSummary

events_app = typer.Typer(help="Joint statements and letters (the Xinjiang series).", no_args_is_help=True)
app.add_typer(events_app, name="events")

EVENT_ARG = typer.Argument(..., metavar="EVENT", help="Event id or unique prefix.")
_FORUMS = {"hrc": "HRC", "ga_third_committee": "GA 3rd C.", "letter_hrc_president": "letter"}
GROUP_ABBR = {"african": "AFR", "asia_pacific": "APG", "eastern_european": "EEG",
              "latin_american_caribbean": "LAC", "weog": "WEOG"}


def _counts(r) -> str:
    """"claimed / named" of an event row, "?" for an unstated claim, "*" after a partial list."""
    claimed = r["claimed_count"] if r["claimed_count"] is not None else "?"
    return f"{claimed} / {r['known_count']}" + ("*" if r["partial"] else "")


def _names(codes: list[str]) -> str:
    return ", ".join(codes) if codes else "—"


def _day(value: str | None, option: str):
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


@events_app.command("list")
def events_list(
    series: str | None = typer.Option(None, "--series", "-s", help="Only this series (e.g. xinjiang)."),
    state: str | None = typer.Option(None, "--state", help="Only events this state signed (code or name)."),
    forum: Forum | None = typer.Option(None, "--forum", case_sensitive=False, help="Only one forum."),
    stance: Stance | None = typer.Option(None, "--stance", case_sensitive=False, help="Only one stance."),
    since: str | None = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="Only events on or after this day."),
    until: str | None = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Only events on or before this day."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """List events by date: claimed and named signatories, deliverer, counter-statement tie."""
    one_format(as_json, as_csv)
    rows = [r.to_dict() for r in bw().events.list(series, state=state, forum=forum, stance=stance,
                                                  since=_day(since, "--from"), until=_day(until, "--to"))]
    if as_json:
        print_json(rows)
        return
    if as_csv:
        emit_table(("id", "alias", "date", "forum", "stance", "delivered_by", "claimed_count", "known_count", "partial",
                    "responds_to"),
                   [(r["id"], r["alias"], r["date"], r["forum"], r["stance"], r["delivered_by"], r["claimed_count"],
                     r["known_count"], r["partial"], r["responds_to"]) for r in rows], as_csv=True)
        return
    emit_table(("Id", "Alias", "Forum", "Stance", "By", "Claimed / named", "Answers"),
               [(r["id"], r["alias"], _FORUMS.get(r["forum"], r["forum"]), r["stance"], r["delivered_by"], _counts(r),
                 r["responds_to"] or "") for r in rows],
               title=f"{len(rows)} events", caption="* partial list: fewer names known than claimed")


@events_app.command("show")
def events_show(
    event: str = EVENT_ARG,
    against: str | None = typer.Option(None, "--against", metavar="EVENT",
                                       help="Compare with this event instead of the previous one."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One event: signatories by regional group, first-time signers, joined/left, switchers, counter."""
    s = bw().events.show(event, against)
    if as_json:
        print_json(s.to_dict())
        return
    say(f"{s.id}  {s.title}")
    say(f"{s.date} · {s.forum_name} {s.session or ''} · {s.stance} · delivered by {s.delivered_by or '—'}"
        + (f" ({s.delivered_by_text})" if s.delivered_by_text and s.delivered_by_text != s.delivered_by else ""))
    say(f"claimed {s.claimed_count if s.claimed_count is not None else '—'}, named {s.known_count}"
        + (" (partial list)" if s.partial else ""))
    emit_table(("Group", "Named"), [(registry.GROUPS.get(g, "no group"), n) for g, n in s.by_group.items()],
               title="Named signatories by regional group", numeric=("Named",))
    say(f"groups covered: {s.groups_covered}/5; first to cover all five: {s.first_all_groups}"
        + (f" (first known; could change: {', '.join(s.first_all_groups_caveats)})"
           if s.first_all_groups_caveats else ""))
    for key in ("first_time", "returning", "joined", "left", "joined_uncertain", "left_uncertain",
                "switchers", "both_sides"):
        say(f"{key}: {_names(getattr(s, key))}")
    say(f"compared with: {s.compared_with or '—'}")
    if s.counter:
        c = s.counter
        say(f"counter ({c['tie']}): {c['id']} by {c['delivered_by'] or '—'}, claimed "
            f"{c['claimed_count']}, named {c['known_count']}")
    for caveat in s.caveats:
        say(f"caveat: {caveat}")


@events_app.command("alignment")
def events_alignment(
    event: str = EVENT_ARG,
    dynamic: bool = typer.Option(False, "--dynamic", help="Ideal points of the random-walk model linking all "
                                                          "sessions (one scale; ~20 s) instead of one session's."),
    session: int | None = typer.Option(None, "--session", "-s", help="GA session to use (default: the session "
                                                                     "running on the event's date, or the nearest "
                                                                     "stored one before it)."),
    all_states: bool = typer.Option(False, "--all-states", help="List every state, not only the signatories."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """GA voting of an event's signatories vs. the counter-statement and the rest: ideal points, agreement with
    China and the US."""
    from blocwatch.statements.alignment import fmt_ideal, fmt_share

    one_format(as_json, as_csv)
    a = bw().events.alignment(event, dynamics=IdealDynamics.dynamic if dynamic else IdealDynamics.static,
                              session=session)
    if as_json:
        print_json(a.to_dict())
        return
    rows = [r for r in a.states if all_states or r["signatory"]]
    share_keys = ("agree_chn", "agree_usa", "coincidence_chn", "coincidence_usa")

    def side(r) -> str:
        return ("both" if r["signatory"] and r["counter"] else "signatory" if r["signatory"]
                else "counter" if r["counter"] else "neither")

    if as_csv:
        emit_table(("iso3", "side", "ideal", "ideal_se", *share_keys),
                   [(r["iso3"], side(r), r["ideal"], r["ideal_se"], *[r[k] for k in share_keys]) for r in rows],
                   as_csv=True)
        return
    ga = a.ga
    gap = ga["years_after_data"]
    say(f"{a.event['id']} ({a.event['stance']}, {a.event['date']})")
    say(f"{ga['label']}; {ga['model']} model"
        + (f"; the event is {gap} year{'s' if gap != 1 else ''} after those votes" if gap else ""))
    ref = a.reference
    say(f"China {fmt_ideal(ref['CHN']['ideal'])}, United States {fmt_ideal(ref['USA']['ideal'])} "
        "(ideal points; United States positive)")
    labels = {"signatories": "signatories", "counter": "counter", "neither_side": "neither"}
    group_rows = []
    for name, g in a.groups.items():
        if g is None:
            continue
        n = g["closer_to_usa"] + g["closer_to_chn"] + g["equally_close"]
        group_rows.append((labels[name] + ("*" if g.get("partial") else ""), g["named"], g["scored"],
                           fmt_ideal(g["ideal"]["mean"]), *[fmt_share(g[k]["mean"]) for k in share_keys],
                           f"{g['closer_to_usa']}/{n}"))
    emit_table(("Side", "Named", "Scored", "Ideal", "Agr CHN", "Agr USA", "Coin CHN", "Coin USA", "US>CN"),
               group_rows, title="By side: means (--json for medians, quartiles, histograms)",
               caption="* partial list: named states only. US>CN: voted with the US more often than with China",
               numeric=("Named", "Scored", "Ideal", "Agr CHN", "Agr USA", "Coin CHN", "Coin USA", "US>CN"))
    emit_table(("ISO3", *(["Side"] if all_states else []), "Ideal", "SE", "Agr CHN", "Agr USA", "Coin CHN",
                "Coin USA"),
               [(r["iso3"], *([side(r)] if all_states else []), fmt_ideal(r["ideal"]),
                 "–" if r["ideal_se"] is None else f"{r['ideal_se']:.2f}", *[fmt_share(r[k]) for k in share_keys])
                for r in rows],
               title=f"{'All states' if all_states else 'Signatories'} ({len(rows)})",
               numeric=("Ideal", "SE", "Agr CHN", "Agr USA", "Coin CHN", "Coin USA"))
    for r in rows:
        if r["no_score"]:
            say(f"{r['iso3']} ({r['name']}): no score: {r['no_score']}")
    for c in a.caveats:
        say(f"caveat: {c['text']}")


@events_app.command("matrix")
def events_matrix(
    series: str | None = typer.Option(None, "--series", "-s", help="Only this series (e.g. xinjiang)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE",
                                    help="Write the table to FILE (.csv or .parquet)."),
    replace: bool = REPLACE_OUT_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """The state x event table: signed, absent from a complete list, not named in a partial list, other side.

    One row per current member and observer state, one column per event
    (named by its short alias); paste the CSV into a spreadsheet.
    """
    from blocwatch.files import table_writer

    one_format(as_json, as_csv)
    write = table_writer(out, (".csv", ".parquet"), replace=replace) if out is not None else None
    m = bw().events.matrix(series)
    if as_json:
        print_json(m.to_dict())
        return
    frame = m.frame()
    if write is not None:
        write(frame)
        say(f"wrote {len(frame)} states x {len(m.events)} events to {out}")
        return
    if as_csv:
        emit_table(list(frame.columns), list(frame.itertuples(index=False, name=None)), as_csv=True)
        return
    from rich.table import Table

    short = {"signed": "S", "joined_later": "J", "withdrew": "W", "absent": "·", "not_named": "?",
             "other_side": "X"}
    # One narrow numbered column per event (legend below), so 29 events fit an 80-column terminal.
    table = Table(title=f"{len(m.states)} states x {len(m.events)} events", title_justify="left",
                  box=None, padding=(0, 0), pad_edge=False, show_edge=False)
    table.add_column("State", no_wrap=True, min_width=5)
    for n, _e in enumerate(m.events, start=1):
        table.add_column(f"{n:>3}", justify="right", no_wrap=True, min_width=3, max_width=3)
    for r in m.states:
        table.add_row(r["iso3"], *[f"{short[r['cells'][e]]:>3}" for e in m.events])
    console.print(table)
    say("Events: " + "; ".join(f"{n} {m.aliases.get(e) or e}" for n, e in enumerate(m.events, start=1)))
    say("S signed, J joined later, W withdrew, · absent from a complete list, ? not named in a partial list, "
        "X signed the other side; --csv gives the full words and event ids.")


@events_app.command("add")
def events_add(
    source_file: str = typer.Argument(..., metavar="FILE|-", help="The text of the statement (a file, or - for "
                                                                 "standard input)."),
    source: str = typer.Option(..., "--source", metavar="URL", help="Address of the text (cited for every name)."),
    day: str = typer.Option(..., "--date", metavar="YYYY-MM-DD", help="Day the statement was delivered."),
    forum: Forum = typer.Option(..., "--forum", case_sensitive=False, help="Where it was delivered."),
    stance: Stance = typer.Option(..., "--stance", case_sensitive=False, help="critical or supportive of the target."),
    event_id: str | None = typer.Option(None, "--id", help="Event id (default: DATE-SESSION-STANCE)."),
    title: str | None = typer.Option(None, "--title", help="Title of the statement."),
    delivered_by: str | None = typer.Option(None, "--by", metavar="STATE", help="The state that delivered it."),
    session: str | None = typer.Option(None, "--session", help="Session, e.g. HRC62 or GA81."),
    target: str = typer.Option("CHN", "--target", metavar="STATE", help="The state the statement is about."),
    claimed: int | None = typer.Option(None, "--claimed", help="Claimed number of signatories (default: the "
                                                                "number the text states)."),
    publisher: str | None = typer.Option(None, "--publisher", help="Kind of publisher of the source: un, "
                                         "government, ngo, news or mirror (default: from data/publishers.csv)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Store without asking (needed when the text comes "
                                                         "from standard input)."),
    yaml_out: Path | None = typer.Option(None, "--yaml-out", metavar="FILE",
                                         help="Also write the event in the curated file format."),
    replace_yaml: bool = typer.Option(False, "--replace", help="Overwrite the --yaml-out file if it exists."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a joint statement from its text: parse the list, preview it, store it on confirmation.

    Nothing is stored until you confirm (or pass --yes); an id that is
    already stored is refused, never overwritten.
    """
    import sys

    from blocwatch.cli.parse import read_text

    text = read_text(source_file)
    where = "standard input" if source_file == "-" else source_file
    kwargs = dict(source=source, day=_day(day, "--date"), forum=forum, stance=stance, event_id=event_id,
                  title=title, delivered_by=delivered_by, session=session, target=target,
                  claimed_count=claimed, publisher=publisher, where=where)
    preview = bw().events.add(text, **kwargs)
    if not as_json:
        emit_table(("#", "Text as written", "ISO3", "Name"),
                   [(i + 1, s["text"], s["iso3"], s["name"]) for i, s in enumerate(preview.signatories)],
                   title=f"{preview.id}: {preview.found_count} states found, claimed "
                         f"{preview.claimed_count if preview.claimed_count is not None else 'not stated'}"
                         f"{'' if preview.list_complete else ' (stored as a partial list)'}")
        for fragment in preview.unresolved:
            say(f"unresolved inside the list: {fragment!r}")
        for problem in preview.problems:
            say(f"  • {problem}")
    store = yes
    if not yes:
        if source_file == "-" or not sys.stdin.isatty():
            say("not stored: confirm with --yes") if not as_json else None
        else:
            store = typer.confirm(f"Store {preview.id} with {preview.found_count} signatories?", default=False)
    result = bw().events.add(text, **kwargs, store=True) if store else preview
    if yaml_out is not None:
        result.write_yaml(yaml_out, replace=replace_yaml)
    if as_json:
        print_json(result.to_dict())
    elif store:
        say(f"stored {result.id}: {result.found_count} signatories, source {source}")


@events_app.command("series")
def events_series(
    series: str = typer.Argument("xinjiang", metavar="SERIES", help="Series name."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Counts over time by stance and regional group."""
    one_format(as_json, as_csv)
    s = bw().events.series(series)
    if as_json:
        print_json(s.to_dict())
        return
    print_series(s, as_csv=as_csv)


def print_series(s: SeriesSummary, *, as_csv: bool) -> None:
    groups = list(registry.GROUPS)
    if as_csv:
        emit_table(("id", "date", "stance", "claimed_count", "known_count", "partial", *groups),
                   [(r["id"], r["date"], r["stance"], r["claimed_count"], r["known_count"], r["partial"],
                     *[r["by_group"][g] for g in groups]) for r in s.timeline], as_csv=True)
        return
    emit_table(("Event", "Claim/named", *[GROUP_ABBR[g] for g in groups]),
               [(r["id"], _counts(r), *[r["by_group"][g] for g in groups]) for r in s.timeline],
               title=f"Series {s.series}: {s.events} events ({s.by_stance['critical']} critical, "
                     f"{s.by_stance['supportive']} supportive)",
               numeric=tuple(GROUP_ABBR.values()))
    t = s.totals
    say(f"states ever named: {t['critical_named']} critical, {t['supportive_named']} supportive; "
        f"named on both sides: {', '.join(t['both_sides']) or '—'}")
    say(f"* partial list ({len(s.partial_events)} events): group columns count named signatories only. "
        "Groups: " + ", ".join(f"{GROUP_ABBR[g]} {registry.GROUPS[g]}" for g in groups))


@app.command("diff")
def diff_cmd(
    a: str = typer.Argument(..., metavar="EVENT_A", help="First event (id or unique prefix)."),
    b: str = typer.Argument(..., metavar="EVENT_B", help="Second event."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Who joined, left and stayed between two events (uncertain changes shown apart)."""
    d = bw().events.diff(a, b)
    if as_json:
        print_json(d.to_dict())
        return
    say(f"{d.a} → {d.b}")
    for key in ("joined", "left", "stayed", "joined_uncertain", "left_uncertain"):
        values = getattr(d, key)
        say(f"{key} ({len(values)}): {_names(values)}")
    for c in d.caveats:
        say(f"caveat: {c}")


@app.command("country")
def country_cmd(
    name: str = typer.Argument(..., metavar="STATE", help="ISO3 code or name of a state, in any UN language."),
    former: bool = typer.Option(False, "--former", help="Allow a former state (USSR, Yugoslavia, ...)."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """A state's positions across the joint statements, its Council terms and its votes on country texts."""
    one_format(as_json, as_csv)
    h = bw().countries.history(name, former=former)
    if as_json:
        print_json(h.to_dict())
        return
    emit_table(("Event", "Date", "Stance", "Status", "Change date"),
               [(r["id"], r["date"], r["stance"], r["status"], r["change_date"] or "") for r in h.events],
               as_csv=as_csv, title=f"{h.name} ({h.iso3}): signed {h.signed['critical']} critical, "
                                    f"{h.signed['supportive']} supportive")
    if as_csv:
        return
    say("not_named = the list is partial, so whether it signed is unknown; absent = complete list without it.")
    terms = "; ".join(f"{t['start']} to {t['end'] or 'now'}" for t in h.council_terms)
    say(f"Human Rights Council terms: {terms or 'none'}")
    if h.country_votes:
        emit_table(("Date", "Forum", "Symbol", "About", "Yes is", "Vote", "Title"),
                   [(v["date"], v["forum"], v["symbol"], v["target"], v["yes_stance"] or "",
                     v["position"].replace("_", " "), v["title"]) for v in h.country_votes],
                   wrap=("Title",), title=f"{h.name}'s votes on country-situation texts ({len(h.country_votes)})")


@app.command("brief")
def brief_cmd(
    event: str = EVENT_ARG,
    fmt: BriefFormat = typer.Option(BriefFormat.md, "--format", "-f", case_sensitive=False, help="Output format."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="FILE", help="Write the brief to FILE."),
    replace: bool = REPLACE_OUT_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """A factual brief on one event, every fact linked to its source."""
    if as_json and fmt not in (BriefFormat.json, BriefFormat.md):
        raise InvalidInput(f"--json and --format {fmt.value} ask for two formats; give one")
    facts = bw().events.brief(event)
    chosen = "json" if as_json else fmt.value
    if out is None:
        typer.echo(facts.render(chosen), nl=False)
        return
    written = facts.write(out, chosen, replace=replace)
    say(f"{'replaced' if written['replaced'] else 'wrote'} {written['path']} ({written['bytes']:,} bytes)")


@app.command("export")
def export_cmd(
    fmt: ExportFormat = typer.Option(..., "--format", "-f", case_sensitive=False, help="Output format."),
    out: Path = typer.Option(..., "--out", "-o", metavar="PATH",
                             help="Output file (json, sqlite) or folder (csv, parquet)."),
    replace: bool = REPLACE_OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Export events, positions, countries and sources with a data dictionary and provenance notes."""
    result = bw().events.export(fmt, out, replace=replace)
    if as_json:
        print_json(result.to_dict())
        return
    say(f"{'replaced' if result.replaced else 'wrote'} {result.format} at {result.path}: "
        + ", ".join(f"{k} {v}" for k, v in result.tables.items()))
