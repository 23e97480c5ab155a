"""``blocwatch run``: the main job on the bundled data (what ``make run`` does)."""

from __future__ import annotations

from blocwatch.cli import app
from blocwatch.cli.output import console


@app.command("run")
def run() -> None:
    """Print the registry summary, the brief of the latest critical statement and the series summary."""
    from blocwatch import registry

    s = registry.summary()
    console.print(f"[bold]Registry[/]: {s['members']} UN member states, {s['observers']} observer states, "
                  f"{s['former']} former states")
    for group, n in s["members_by_group"].items():
        console.print(f"  {registry.GROUPS[group]:<40} {n:>3}")

    from blocwatch.cli import state
    from blocwatch.cli.events import print_series
    from blocwatch.statements import analytics, brief
    from blocwatch.statements.load import dataset

    ds = dataset(state.engine())
    latest = analytics.latest_event(ds, "critical")
    if latest:
        console.rule(f"Brief: {latest}")
        console.print(brief.render(ds, latest, "md"), markup=False, highlight=False)
    console.rule("Series summary")
    print_series(analytics.series_summary(ds, "xinjiang"))
