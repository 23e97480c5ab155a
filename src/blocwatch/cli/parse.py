"""``blocwatch parse``: extract a signatory list from a text (``bw.parse``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from blocwatch import registry
from blocwatch.api.options import ParseMode
from blocwatch.cli.output import JSON_OPTION, bw, console, err_console, print_json, say
from blocwatch.cli.root import app
from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    from blocwatch.signatories import Fragment, ParseResult, Signatory

PROGRESS_FROM = 1_000_000  # characters: longer inputs get a progress bar


def read_text(source: str) -> str:
    """The text of FILE, or of standard input for ``-``; InvalidInput for a folder, a missing file or non-UTF-8."""
    if source == "-":
        data = sys.stdin.buffer.read()
        where = "standard input"
    else:
        path = Path(source)
        if path.is_dir():
            raise InvalidInput(f"{source}: is a folder; give a text file, or - to read standard input")
        if not path.exists():
            raise InvalidInput(f"{source}: no such file (give a text file, or - to read standard input)")
        data = path.read_bytes()
        where = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


@app.command("parse")
def parse(
    source: str = typer.Argument(..., metavar="FILE|-", help="A text file, or - for standard input."),
    mode: ParseMode = typer.Option(
        ParseMode.auto, "--mode", case_sensitive=False,
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
    text = read_text(source)
    where = "standard input" if source == "-" else source
    if len(text) >= PROGRESS_FROM and not as_json:
        from rich.progress import Progress

        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task(f"parsing {where}", total=len(text))
            result = bw().parse(text, mode, where=where,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        result = bw().parse(text, mode, where=where)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result, source, show_lists)


def _print(result: ParseResult, source: str, show_lists: bool) -> None:
    from rich.markup import escape

    from blocwatch.signatories import DocumentResult, Signatory

    where = ""
    if isinstance(result, DocumentResult) and result.source is not None:
        where = f" from {result.source.url}" + (f" ({result.source.kind})" if result.source.kind != "source" else "")
    primary = result.primary
    title = (f"{len(result.signatories)} states listed{where}" if primary
             else f"No list of states found in {source}")
    table = Table(title=escape(title), title_justify="left")
    for col in ("#", "Text as written", "ISO3", "Name", "Regional group"):
        table.add_column(col, overflow="fold")
    if primary is not None:
        rows: list[tuple[int, str, Signatory | Fragment]] = [(s.start, "name", s) for s in primary.signatories]
        rows += [(f.start, "unresolved", f) for f in primary.unresolved]
        rows += [(f.start, "duplicate", f) for f in primary.duplicate_fragments]
        position = 0
        for _, kind, item in sorted(rows, key=lambda r: r[0]):
            if isinstance(item, Signatory):   # kind "name"
                position += 1
                group = registry.get(item.iso3).regional_group or "—"
                note = " (speaker)" if item.own_country else ""
                table.add_row(str(position), escape(item.text), item.iso3, escape(item.name + note), group)
            elif kind == "unresolved":
                table.add_row("?", f"[bold red]{escape(item.text)}[/]", "[red]—[/]", "[red]unresolved[/]", "")
            else:
                table.add_row("", f"[yellow]{escape(item.text)}[/]", "", "[yellow]listed again[/]", "")
        console.print(table)
    claimed = "not stated" if result.claimed_count is None else str(result.claimed_count)
    if result.count_source:
        claimed += f"  (stated in {result.count_source})"
    say(f"Claimed count: {claimed}")
    say("Count matches: " + {True: "yes", False: "no", None: "— (no count stated)"}[result.count_matches])
    say("Complete list: " + {True: "yes", False: "no", None: "cannot tell"}[result.complete])
    if primary is not None and primary.unresolved:
        say("Unresolved inside the list: " + ", ".join(repr(f.text) for f in primary.unresolved))
    for problem in result.problems:
        say(f"  • {problem}")
    if isinstance(result, DocumentResult):
        others_desc = [(block.url or "header", block.kind, lst)
                       for block, res in result.blocks for lst in res.lists if lst is not primary]
    else:
        others_desc = [("", "", lst) for lst in result.lists if lst is not primary]
    if others_desc and not show_lists:
        say(f"{len(others_desc)} other candidate lists (show them with --lists).")
    if show_lists and others_desc:
        lists = Table(title="Other candidate lists", title_justify="left")
        for col in ("Source", "States", "First names", "Unresolved", "Cut"):
            lists.add_column(col, overflow="fold")
        for url, kind, lst in others_desc:
            first = ", ".join(s.iso3 for s in lst.signatories[:6]) + (" …" if lst.size > 6 else "")
            lists.add_row(escape(f"{url} {kind if kind not in ('source', '') else ''}".strip()), str(lst.size),
                          first, escape(", ".join(f.text for f in lst.unresolved)), "yes" if lst.truncated else "")
        console.print(lists)
