"""``leadline profile check PATH``"""

from __future__ import annotations

import click

from leadline.words import plural


@click.group("profile")
def profile_group() -> None:
    """Workflow profiles (YAML or JSON; see docs/profiles.md)."""


@profile_group.command("check")
@click.argument("path", metavar="PATH")
def check_command(path: str) -> None:
    """Validate a profile: exit 0 if it is valid, else 2 with PATH: where: what per problem."""
    from leadline.profiles.loader import load_profile

    profile = load_profile(path)
    click.echo(
        f"{path}: ok — profile {profile.name!r}, {plural(len(profile.stages), 'stage')}, "
        f"start {profile.start.event}"
    )
