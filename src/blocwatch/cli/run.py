"""``blocwatch run``: the main job on the bundled data (what ``make run`` does)."""

from __future__ import annotations

from blocwatch.cli import app
from blocwatch.cli.output import console


@app.command("run")
def run() -> None:
    """Print the registry summary and parse one bundled statement."""
    from blocwatch import registry

    s = registry.summary()
    console.print(f"[bold]Registry[/]: {s['members']} UN member states, {s['observers']} observer states, "
                  f"{s['former']} former states")
    for group, n in s["members_by_group"].items():
        console.print(f"  {registry.GROUPS[group]:<40} {n:>3}")
