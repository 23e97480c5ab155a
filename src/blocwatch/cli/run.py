"""``blocwatch run``: the main job on the bundled data (what ``make run`` does)."""

from __future__ import annotations

from blocwatch.cli import app
from blocwatch.cli.output import JSON_OPTION, console, print_json


@app.command("run")
def run(as_json: bool = JSON_OPTION) -> None:
    """Print the registry summary, the brief of the latest critical statement and the series summary."""
    from blocwatch import registry
    from blocwatch.cli import state
    from blocwatch.cli.events import print_series
    from blocwatch.statements import analytics, brief
    from blocwatch.statements.load import dataset

    summary = registry.summary()
    engine = state.engine()
    ds = dataset(engine)
    latest = analytics.latest_event(ds, "critical")
    series = analytics.series_summary(ds, "xinjiang")
    if as_json:
        print_json({"registry": summary, "latest_critical": latest,
                    "brief": brief.brief_facts(ds, latest, engine=engine) if latest else None, "series": series})
        return
    console.print(f"[bold]Registry[/]: {summary['members']} UN member states, {summary['observers']} observer "
                  f"states, {summary['former']} former states")
    for group, n in summary["members_by_group"].items():
        console.print(f"  {registry.GROUPS[group]:<40} {n:>3}")
    if latest:
        console.rule(f"Brief: {latest}")
        console.print(brief.render(ds, latest, "md", engine=engine), markup=False, highlight=False)
    console.rule("Series summary")
    print_series(series)
