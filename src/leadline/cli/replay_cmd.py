"""``leadline replay [--source S]``"""

from __future__ import annotations

import click

from leadline.cli.context import AppContext
from leadline.words import plural


@click.command("replay")
@click.option("--source", help="Only this source (github, gitlab, jira, pagerduty, …).")
@click.pass_obj
def replay_command(app: AppContext, source: str | None) -> None:
    """Parse again the webhook deliveries whose parsing failed (e.g. after an upgrade)."""
    from leadline.services.webhooks import replay

    outcomes = replay(app.engine, source)
    fixed = sum(1 for o in outcomes if o.status != "failed")
    replayed = plural(len(outcomes), "failed delivery", "failed deliveries")
    click.echo(f"{replayed} replayed: {fixed} parsed now, {len(outcomes) - fixed} still failing")
    for outcome in outcomes:
        if outcome.status == "failed":
            click.echo(f"  still failing: {outcome.reason}")
