"""``blocwatch parse``: extract a signatory list from a text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from blocwatch import registry
from blocwatch.cli import app
from blocwatch.cli.output import JSON_OPTION, console, fail, print_json

if TYPE_CHECKING:
    from blocwatch.signatories import ParseResult


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not path.is_file():
        fail(f"{source}: no such file (give a text file, or - to read standard input)", 2)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})", 2)


@app.command("parse")
def parse(
    source: str = typer.Argument(..., metavar="FILE|-", help="A text file, or - for standard input."),
    mode: str = typer.Option(
        "auto", "--mode",
        help="auto: a raw evidence file (URL lines heading quoted sources) is split into sources "
             "and the largest list is the answer; text: parse the whole input as one text.",
    ),
    show_lists: bool = typer.Option(False, "--lists", help="Also list every candidate list found."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find the list of states in a statement, press release or news text.

    Prints the states in order (position, text as written, ISO3, name,
    regional group), fragments inside the list that could not be resolved,
    the claimed count and whether it matches.
    """
    from blocwatch.signatories import parse_any, parse_signatories

    if mode not in ("auto", "text"):
        fail(f"--mode must be 'auto' or 'text', not {mode!r}", 2)
    text = _read(source)
    result = parse_any(text) if mode == "auto" else parse_signatories(text)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, source, show_lists)


def _print(result: ParseResult, source: str, show_lists: bool) -> None:
    from blocwatch.signatories import DocumentResult

    where = ""
    if isinstance(result, DocumentResult) and result.source is not None:
        where = f" from {result.source.url}" + (f" ({result.source.kind})" if result.source.kind != "source" else "")
    primary = result.primary
    title = (f"{len(result.signatories)} states listed{where}" if primary
             else f"No list of states found in {source}")
    table = Table(title=title, title_justify="left")
    for col in ("#", "Text as written", "ISO3", "Name", "Regional group"):
        table.add_column(col, overflow="fold")
    if primary is not None:
        rows = [(s.start, "name", s) for s in primary.signatories]
        rows += [(f.start, "unresolved", f) for f in primary.unresolved]
        rows += [(f.start, "duplicate", f) for f in primary.duplicate_fragments]
        position = 0
        for _, kind, item in sorted(rows, key=lambda r: r[0]):
            if kind == "name":
                position += 1
                group = registry.get(item.iso3).regional_group or "—"
                note = " (speaker)" if item.own_country else ""
                table.add_row(str(position), item.text, item.iso3, item.name + note, group)
            elif kind == "unresolved":
                table.add_row("?", f"[bold red]{item.text}[/]", "[red]—[/]", "[red]unresolved[/]", "")
            else:
                table.add_row("", f"[yellow]{item.text}[/]", "", "[yellow]listed again[/]", "")
        console.print(table)
    claimed = "not stated" if result.claimed_count is None else str(result.claimed_count)
    if result.count_source:
        claimed += f"  (stated in {result.count_source})"
    console.print(f"Claimed count: {claimed}", highlight=False)
    match = {True: "[green]yes[/]", False: "[red]no[/]", None: "— (no count stated)"}[result.count_matches]
    console.print(f"Count matches: {match}")
    complete = {True: "[green]yes[/]", False: "[red]no[/]", None: "cannot tell"}[result.complete]
    console.print(f"Complete list: {complete}")
    if primary is not None and primary.unresolved:
        console.print("[bold red]Unresolved inside the list:[/] "
                      + ", ".join(repr(f.text) for f in primary.unresolved), highlight=False)
    for problem in result.problems:
        console.print(f"  • {problem}", highlight=False)
    others = [lst for lst in result.lists if lst is not primary]
    if isinstance(result, DocumentResult):
        others_desc = [(block.url or "header", block.kind, lst)
                       for block, res in result.blocks for lst in res.lists if lst is not primary]
    else:
        others_desc = [("", "", lst) for lst in others]
    if others_desc and not show_lists:
        console.print(f"{len(others_desc)} other candidate lists (show them with --lists).")
    if show_lists and others_desc:
        lists = Table(title="Other candidate lists", title_justify="left")
        for col in ("Source", "States", "First names", "Unresolved", "Cut"):
            lists.add_column(col, overflow="fold")
        for url, kind, lst in others_desc:
            first = ", ".join(s.iso3 for s in lst.signatories[:6]) + (" …" if lst.size > 6 else "")
            lists.add_row(f"{url} {kind if kind not in ('source', '') else ''}".strip(), str(lst.size), first,
                          ", ".join(f.text for f in lst.unresolved), "yes" if lst.truncated else "")
        console.print(lists)
