"""``blocwatch campaigns ...``: stored campaigns, private to their members (``bw.campaigns``).

The command line has no sign-in: ``--as NAME`` names the account to act as
(the command line is run by whoever controls the database, as for ``users
add``). Everything else is checked as for a signed-in member: a campaign the
account is not a member of is "not found", and only members who are editors
change one.
"""

from __future__ import annotations

from enum import StrEnum

import typer

from blocwatch.api.options import VoteForum
from blocwatch.cli.output import JSON_OPTION, bw, emit_table, err_console, print_json, say
from blocwatch.cli.root import app
from blocwatch.cli.votes import GROUP_NAMES

campaigns_app = typer.Typer(help="Stored campaigns of a team: each state's status, dated notes, the regional "
                                 "coverage of the committed states, who is likely to join. Private to their members.",
                            no_args_is_help=True)
app.add_typer(campaigns_app, name="campaigns")

AS = typer.Option(..., "--as", metavar="USER", help="The account to act as (its membership and role are checked).")
ID = typer.Argument(..., metavar="ID", help="The campaign's number (campaigns list).")


class MemberAction(StrEnum):
    add = "add"
    remove = "remove"


def _account(name: str):
    return bw().users.get(name)


def _done(text: str) -> None:
    err_console.print(text, markup=False, highlight=False)


@campaigns_app.command("create")
def create_command(
    name: str = typer.Argument(..., metavar="NAME", help="What the campaign is for (quote it)."),
    target: str = typer.Option(..., "--target", "-t", metavar="STATE",
                               help="The state the planned statement or text is critical of."),
    forum: VoteForum = typer.Option(VoteForum.hrc, "--forum", "-f", case_sensitive=False,
                                    help="hrc (Human Rights Council, the default) or ga (General Assembly)."),
    as_user: str = AS,
    as_json: bool = JSON_OPTION,
) -> None:
    """Start a campaign on TARGET; the account (an editor) becomes its first member."""
    row = bw().campaigns.create(name, target, forum=forum.value, by=_account(as_user))
    if as_json:
        print_json(row.to_json())
        return
    _done(f"created campaign {row.id}: {row.name} ({row.forum.upper()}, on {row.target_name}); member: "
          f"{row.created_by}")


@campaigns_app.command("list")
def list_command(as_user: str = AS, as_json: bool = JSON_OPTION) -> None:
    """The campaigns the account is a member of (and no other)."""
    rows = bw().campaigns.list(by=_account(as_user))
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        say(f"{as_user} is a member of no campaign: start one with blocwatch campaigns create NAME --target STATE "
            f"--as {as_user}")
        return
    emit_table(["ID", "Name", "Target", "Forum", "Members", "Committed", "Created (UTC)", "By"],
               [(r.id, r.name, r.target_name, r.forum, r.members, r.committed, r.created_at, r.created_by)
                for r in rows], numeric=["ID", "Members", "Committed"], wrap=["Name"])


@campaigns_app.command("show")
def show_command(
    campaign_id: str = ID,
    as_user: str = AS,
    forecast: bool = typer.Option(True, "--forecast/--no-forecast",
                                  help="Also rank the states not committed by their chance of voting yes."),
    as_of: str | None = typer.Option(None, "--as-of", metavar="DATE",
                                     help="The forecast uses only what was known before this day (default: today)."),
    limit: int = typer.Option(15, "--limit", min=1, help="How many states of the forecast to list (--json: all)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One campaign: members, each state's status and version, the coverage of the committed states by regional
    group, the notes (newest first) and who is likely to join."""
    v = bw().campaigns.show(campaign_id, by=_account(as_user), forecast=forecast, as_of=as_of)
    if as_json:
        print_json(v.to_json())
        return
    say(f"Campaign {v.id}: {v.name} — a {v.forum.upper()} text critical of {v.target_name} ({v.target}); created "
        f"{v.created_at} UTC by {v.created_by or '?'}")
    say("Members: " + ", ".join(f"{m['username']} ({m['role']}{', disabled' if m['disabled'] else ''})"
                                for m in v.members))
    say("Status: " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in v.counts.items()))
    cov = v.coverage
    groups = ", ".join(f"{GROUP_NAMES.get(g, g)} {n}" for g, n in cov["by_group"].items())
    missing = ", ".join(GROUP_NAMES.get(g, g) for g in cov["groups_without"]) or "none"
    say(f"Committed: {cov['committed']} ({groups}); no committed state yet from: {missing}")
    touched = [s for s in v.states if s["version"]]
    if touched:
        say("")
        emit_table(["ISO3", "State", "Group", "Status", "Version", "Updated (UTC)", "By"],
                   [(s["iso3"], s["name"], GROUP_NAMES.get(s["group"] or "none", s["group"]),
                     s["status"].replace("_", " "), s["version"], s["updated_at"], s["updated_by"]) for s in touched],
                   numeric=["Version"], wrap=["State"],
                   caption="Every other state: not contacted, version 0.")
    if v.notes:
        say("")
        say("Notes (newest first):")
        for note in v.notes:
            on = f" on {note['state']} ({note['iso3']})" if note["iso3"] else ""
            say(f"  {note['at']} {note['user'] or '?'}{on}: {note['text']}")
    if v.forecast is not None:
        f = v.forecast
        say("")
        say(f"Who is likely to join (forecast as of {f['as_of']}; committed states left out):")
        emit_table(["ISO3", "State", "Group", "P(yes)", "Status", "Adds"],
                   [(c["iso3"], c["name"], GROUP_NAMES.get(c["group"] or "none", c["group"]), f"{c['p_yes']:.0%}",
                     c["status"].replace("_", " "), c["adds"]) for c in f["candidates"][:limit]],
                   numeric=["P(yes)"], wrap=["State", "Adds"])
    elif forecast and v.forecast_note:
        say("")
        say(v.forecast_note)


@campaigns_app.command("status")
def status_command(
    campaign_id: str = ID,
    state: str = typer.Argument(..., metavar="STATE", help="The state (a code or a name)."),
    status: str = typer.Argument(..., metavar="STATUS",
                                 help="not_contacted, contacted, considering, committed or declined."),
    as_user: str = AS,
    version: int | None = typer.Option(None, "--version", metavar="N", min=0,
                                       help="The state's version you saw (campaigns show; 0 if never set): refused "
                                            "if someone changed it since."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set a state's status in a campaign (refused, naming who and when, if --version is stale)."""
    s = bw().campaigns.set_status(campaign_id, state, status, by=_account(as_user), version=version)
    if as_json:
        print_json(s.to_json())
        return
    _done(f"{s.name} ({s.iso3}): {s.status.replace('_', ' ')}, version {s.version}"
          + ("" if s.changed else " (unchanged)"))


@campaigns_app.command("note")
def note_command(
    campaign_id: str = ID,
    text: str = typer.Argument(..., metavar="TEXT", help="The note (quote it)."),
    state: str | None = typer.Option(None, "--state", "-s", metavar="STATE",
                                     help="The state the note is about (default: the whole campaign)."),
    as_user: str = AS,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a dated note to a campaign, on one state or on the whole campaign."""
    n = bw().campaigns.add_note(campaign_id, text, state=state, by=_account(as_user))
    if as_json:
        print_json(n.to_json())
        return
    _done(f"note {n.id} added to campaign {n.campaign}" + (f" on {n.state} ({n.iso3})" if n.iso3 else "")
          + f" at {n.at} UTC")


@campaigns_app.command("members")
def members_command(
    campaign_id: str = ID,
    action: MemberAction = typer.Argument(..., metavar="ADD|REMOVE", case_sensitive=False,
                                          help="add or remove the account USER."),
    user: str = typer.Argument(..., metavar="USER", help="The account to add or remove."),
    as_user: str = AS,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a member to a campaign or remove one (only its members who are editors may; the last member stays)."""
    api = bw().campaigns
    by = _account(as_user)
    m = api.add_member(campaign_id, user, by=by) if action is MemberAction.add else \
        api.remove_member(campaign_id, user, by=by)
    if as_json:
        print_json(m.to_json())
        return
    _done(f"members of campaign {m.campaign}: " + ", ".join(f"{x['username']} ({x['role']})" for x in m.members))
