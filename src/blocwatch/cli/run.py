"""``blocwatch run``: the main job on the bundled data (what ``make run`` does)."""

from __future__ import annotations

from blocwatch.cli.output import JSON_OPTION, bw, console, print_json, say
from blocwatch.cli.root import app


@app.command("run")
def run(as_json: bool = JSON_OPTION) -> None:
    """Print the registry summary, the stored votes, the brief of the latest critical statement and the series."""
    from blocwatch import registry
    from blocwatch.api.results import BriefFacts, SeriesSummary
    from blocwatch.cli.events import print_series

    overview = bw().overview()
    if as_json:
        print_json(overview.to_dict())
        return
    summary = overview.registry
    say(f"Registry: {summary['members']} UN member states, {summary['observers']} observer states, "
        f"{summary['former']} former states")
    for group, n in summary["members_by_group"].items():
        say(f"  {registry.GROUPS[group]:<40} {n:>3}")
    for forum in overview.votes.values():
        notes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in forum["notes"].items())
        say(f"Recorded votes, {forum['name']}: {forum['roll_calls']:,} from {forum['first']} to {forum['last']}"
            + (f" (roll calls with notes: {notes})" if notes else ""))
    if overview.brief:
        console.rule(f"Brief: {overview.latest_critical}")
        say(BriefFacts.from_dict(overview.brief).render("md"))
    console.rule("Series summary")
    print_series(SeriesSummary.from_dict(overview.series), as_csv=False)
