"""``blocwatch votes ...`` and ``blocwatch hrc members``: recorded votes of both forums (``bw.votes``, ``bw.hrc``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from blocwatch.api.options import TextSubject, VoteForum
from blocwatch.cli.output import CSV_OPTION, JSON_OPTION, bw, emit_table, one_format, print_json, say
from blocwatch.cli.root import app

votes_app = typer.Typer(help="Recorded votes of the General Assembly and the Human Rights Council.",
                        no_args_is_help=True)
app.add_typer(votes_app, name="votes")
hrc_app = typer.Typer(help="The Human Rights Council: its members by date.", no_args_is_help=True)
app.add_typer(hrc_app, name="hrc")

FORUM_OPTION = typer.Option(None, "--forum", "-f", case_sensitive=False,
                            help="ga (General Assembly) or hrc (Human Rights Council).")
GROUP_NAMES = {"african": "African", "asia_pacific": "Asia-Pacific", "eastern_european": "Eastern European",
               "latin_american_caribbean": "Latin American and Caribbean", "weog": "Western European and others",
               "none": "No regional group"}


def _tally(t: dict | None) -> str:
    return "—" if not t else f"{t['yes']}-{t['no']}-{t['abstain']}"


@votes_app.command("show")
def show_command(
    symbol: str = typer.Argument(..., metavar="SYMBOL",
                                 help="A/RES/ES-11/1, A/HRC/RES/49/1, ES-11/1 or a roll-call id."),
    forum: VoteForum | None = FORUM_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One vote: tally, each state's position by regional group, sponsors, notes and sources."""
    r = bw().votes.show(symbol, forum=forum)
    if as_json:
        print_json(r.to_json())
        return
    outcome = {True: "adopted", False: "rejected", None: "outcome not recorded"}[r.adopted]
    say(f"{r.symbol} — {r.title}")
    say(f"{r.forum_name}, {r.date} (session {r.session_name or r.session}); {r.kind or 'vote'}, {outcome}"
        + (f"; draft {r.draft}" if r.draft else "") + (f"; {r.agenda_item}" if r.agenda_item else ""))
    c = r.counted
    if not r.lists:
        say(f"Tally stated: {_tally(r.stated)}; the source gives no per-state lists, so each state's position is "
            "unknown")
    line = f"Tally (from the lists): {c['yes']} yes, {c['no']} no, {c['abstain']} abstain"
    line += f", {c['not_voting']} not voting" if c["not_voting"] else ""
    line += f", {c['absent']} absent" if c["absent"] else ""
    if r.lists:
        say(line + (f"; stated: {_tally(r.stated)}" + ("" if r.tally_matches else " — DIFFERS")
                    if r.stated else ""))
    if r.target:
        say(f"About: {r.target_name} ({r.target}); a yes is {r.yes_stance or 'not classified'}"
            f" [{r.classified_by}]")
    say("")
    rows = []
    for group in [g for g in GROUP_NAMES if g in r.by_group]:
        members = [p for p in r.positions if (p["group"] or "none") == group]
        for position in ("yes", "no", "abstain", "not_voting", "absent"):
            named = [p["name"] for p in members if p["position"] == position]
            if named:
                rows.append((GROUP_NAMES[group], position.replace("_", " "), len(named), ", ".join(named)))
    if rows:
        emit_table(("Group", "Position", "N", "States"), rows, numeric=("N",), wrap=("States",),
                   title="Positions by regional group")
    if r.sponsors or r.sponsors_text:
        say("Sponsors: " + ", ".join([s["name"] for s in r.sponsors] + r.sponsors_text))
    for n in r.notes:
        say(f"Note ({n['kind'].replace('_', ' ')}): {n['detail']}")
    for s in r.sources:
        say("Source: " + " — ".join(x for x in (s["title"], s["url"], s["what"]) if x))


@votes_app.command("search")
def search_command(
    forum: VoteForum | None = FORUM_OPTION,
    target: str | None = typer.Option(None, "--target", "-t", metavar="STATE",
                                      help="Texts about this state (code or name, any UN language)."),
    text: list[str] = typer.Option([], "--text", metavar="WORDS", help="Words that must all be in the title."),
    date_from: str | None = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="Votes on or after this day."),
    date_to: str | None = typer.Option(None, "--to", metavar="YYYY-MM-DD", help="Votes on or before this day."),
    state: str | None = typer.Option(None, "--state", "-s", metavar="STATE",
                                     help="Show this state's position on each vote."),
    subject: TextSubject | None = typer.Option(None, "--subject", case_sensitive=False,
                                               help="country (texts on one country's situation) or thematic."),
    limit: int = typer.Option(50, "--limit", "-n", help="Votes listed, newest first (0: all)."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """Find votes by forum, target, words of the title and dates; with --state, its position on each."""
    one_format(as_json, as_csv)
    words = [w for chunk in text for w in chunk.split()]
    found = bw().votes.search(forum=forum, target=target, text=words, date_from=date_from, date_to=date_to,
                              state=state, subject=subject, limit=limit)
    if as_json:
        print_json(found.to_json())
        return
    columns = ["Date", "Forum", "Symbol", "Tally", "Target", "Title"]
    if state:
        columns.insert(4, found.filters["state"])
    rows = []
    for h in found.hits:
        row = [h["date"], h["forum"], h["symbol"], _tally(h["tally"]), h["target"] or "", h["title"]]
        if state:
            row.insert(4, h["position"].replace("_", " "))
        rows.append(row)
    if as_csv:
        emit_table(columns, rows, as_csv=True)
        return
    if not found.total:
        say("No recorded vote matches. (The Council's records hold few rejected drafts: add a vote from its "
            "record with `blocwatch votes add`.)")
        return
    shown = f"{len(found.hits)} of {found.total}" if found.total > len(found.hits) else str(found.total)
    emit_table(columns, rows, wrap=("Title",), title=f"Votes found: {shown} (newest first; tally yes-no-abstain)")
    if found.total > len(found.hits):
        say(f"{found.total - len(found.hits)} more: raise --limit (0 = all) or narrow the search")


@votes_app.command("parse")
def parse_command(
    source_file: str = typer.Argument(..., metavar="FILE|-", help="A vote record's text (- reads standard input)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read a vote record ("In favour (17): ...; Against (19): ...") from text, in the six UN languages."""
    from blocwatch.cli.parse import read_text

    parsed = bw().votes.parse(read_text(source_file))
    if as_json:
        print_json(parsed.to_dict())
        return
    grouped = parsed.by_position()
    stated = parsed.stated.to_dict() if parsed.stated else {}
    rows = [(position.replace("_", " "), stated.get(position, "—"), len(codes), ", ".join(codes))
            for position, codes in grouped.items() if codes or position in stated]
    emit_table(("Position", "Stated", "Listed", "States"), rows, numeric=("Stated", "Listed"), wrap=("States",),
               title="Vote record")
    if parsed.absent:
        say("Absent: " + ", ".join(parsed.absent))
    for line in parsed.problems:
        say("Problem: " + line)


@votes_app.command("add")
def add_command(
    source_file: str = typer.Argument(..., metavar="FILE|-", help="The vote record's text (- reads standard input)."),
    forum: VoteForum = typer.Option(..., "--forum", "-f", case_sensitive=False, help="ga or hrc."),
    symbol: str = typer.Option(..., "--symbol", help="The text's symbol, e.g. A/HRC/51/L.6."),
    on: str = typer.Option(..., "--date", metavar="YYYY-MM-DD", help="The day of the vote."),
    title: str = typer.Option(..., "--title", help="The text's title."),
    source: str = typer.Option(..., "--source", metavar="URL", help="Where the vote record was published."),
    target: str | None = typer.Option(None, "--target", metavar="STATE", help="The state the text is about."),
    yes_stance: str | None = typer.Option(None, "--yes-stance", help="critical or supportive: what a yes means "
                                                                     "for the target."),
    kind: str = typer.Option("resolution", "--kind", help="resolution, decision, amendment, motion or draft."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a vote already added from this source."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be stored; store nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Store one vote read from its record's text, with its source (refused if a name is unresolved)."""
    from blocwatch.cli.parse import read_text

    result = bw().votes.add(read_text(source_file), forum=forum, symbol=symbol, on=on, title=title,
                            source_url=source, target=target, yes_stance=yes_stance, kind=kind, replace=replace,
                            dry_run=dry_run)
    if as_json:
        print_json(result.to_json())
        return
    _report(result, dry_run=dry_run)


def _report(result, *, dry_run: bool = False) -> None:
    if dry_run:
        say("dry run: nothing stored")
    else:
        say(f"roll calls: {result.roll_calls_added} added, {result.roll_calls_merged} merged with another source, "
            f"{result.roll_calls_replaced} replaced, {result.roll_calls_unchanged} unchanged"
            + (f" ({result.duplicates} duplicate lines counted once)" if result.duplicates else ""))
        say(f"votes: {result.votes_added} added, {result.votes_changed} changed; notes: {result.notes_added} added")
    for line in result.changes + result.disagreements + result.notes:
        say(line)


@votes_app.command("import-dgacm")
def import_dgacm_command(
    files: list[Path] = typer.Argument(..., metavar="FILE...", help="DGACM resolution files (JSON lines, "
                                                                   "e.g. 80.json)."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite roll calls stored from this source with "
                                                          "other values."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import GA resolutions and recorded votes from the UN's machine-readable files (one transaction)."""
    result = bw().votes.import_dgacm(files, replace=replace)
    if as_json:
        print_json(result.to_json())
        return
    say(f"read {result.roll_calls_read} recorded votes from {len(result.files)} file(s)")
    _report(result)


@hrc_app.command("members")
def members_command(
    year: int | None = typer.Option(None, "--year", "-y", help="Members on 31 December of this year."),
    on: str | None = typer.Option(None, "--on", metavar="YYYY-MM-DD", help="Members on this day."),
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
) -> None:
    """The Human Rights Council's members on a day, by regional group."""
    one_format(as_json, as_csv)
    result = bw().hrc.members(year=year, on=on if on else None)
    if as_json:
        print_json(result.to_json())
        return
    rows = [(m["iso3"], m["name"], GROUP_NAMES.get(m["group"] or "none", m["group"])) for m in result.members]
    emit_table(("ISO3", "Name", "Group"), rows, as_csv=as_csv,
               title=f"Human Rights Council members on {date.fromisoformat(result.on):%d %B %Y}: "
                     f"{len(result.members)}")
