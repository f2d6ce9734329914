"""``leadline profile check|apply|list|show|export|clone|delete``.

``check`` reads a file and touches no database; the others work on the profiles stored by
name (the ones ``--profile NAME``, ``--collection`` and the HTTP API use). An export loads
back equal (``profile apply`` of it reports ``unchanged``); its JSON is exactly what
``GET /v1/profiles/{name}`` answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from leadline.cli.context import AppContext
from leadline.cli.csvout import format_option
from leadline.words import plural

_FORMAT = click.Choice(["yaml", "json"])


@click.group("profile")
def profile_group() -> None:
    """Workflow profiles (YAML or JSON; see docs/profiles.md): check a file; store, list,
    show, export, clone and delete profiles by name."""


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


@profile_group.command("apply")
@click.argument("paths", metavar="FILE...", nargs=-1, required=True)
@click.pass_obj
def apply_command(app: AppContext, paths: tuple[str, ...]) -> None:
    """Validate profile files and store each under its name: created, updated or unchanged.

    All or nothing: when any file is invalid (or two files give the same name), every problem
    is listed as PATH: where: what, nothing is stored, and the exit code is 2."""
    from leadline.errors import InputError
    from leadline.profiles.loader import ProfileError, load_profile
    from leadline.services.profiles import put_many

    loaded: list[tuple[str, Any]] = []
    problems: list[str] = []
    bad = 0
    seen: dict[str, str] = {}
    for path in paths:
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            problems += exc.details or [exc.message]
            bad += 1
            continue
        if profile.name in seen:
            problems.append(
                f"{path}: name: profile {profile.name!r} is also in {seen[profile.name]}"
            )
            bad += 1
            continue
        seen[profile.name] = path
        loaded.append((path, profile))
    if problems:
        summary = f"{plural(bad, 'file')} with problems; nothing was stored"
        raise InputError(problems[0] if len(problems) == 1 else summary, problems)
    statuses = put_many(app.engine, [profile for _, profile in loaded])
    for (path, profile), status in zip(loaded, statuses, strict=True):
        click.echo(f"{path}: profile {profile.name!r} {status}")


@profile_group.command("list")
@format_option
@click.pass_obj
def list_command(app: AppContext, fmt: str) -> None:
    """The stored profiles: stages, start event, whether they have a dora block, last change."""
    from leadline.services.profiles import stored

    rows = [_summary(s) for s in stored(app.engine)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        from leadline.cli import csvout

        csvout.profiles(rows)
        return
    if not rows:
        click.echo("no stored profiles: store one with `leadline profile apply FILE`")
        return
    _table(rows)


@profile_group.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=_FORMAT, default="yaml", show_default=True)
@click.pass_obj
def show_command(app: AppContext, name: str, fmt: str) -> None:
    """A stored profile, as YAML (durations as 10m, 1h30m …) or JSON (seconds)."""
    from leadline.profiles.export import export_text

    click.echo(export_text(_stored(app, name), fmt), nl=False)  # type: ignore[arg-type]


@profile_group.command("export")
@click.argument("name")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--format", "fmt", type=_FORMAT, default=None,
    help="yaml or json. Default: json when FILE ends in .json, else yaml.",
)  # fmt: skip
@click.pass_obj
def export_command(app: AppContext, name: str, output: str | None, fmt: str | None) -> None:
    """A stored profile as a file that `profile check` accepts and `profile apply` stores
    unchanged; its JSON is what GET /v1/profiles/NAME answers."""
    from leadline.errors import InputError
    from leadline.profiles.export import export_text, format_for

    chosen = fmt or format_for(output or "")
    profile = _stored(app, name)
    text = export_text(profile, chosen)  # type: ignore[arg-type]
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: (file): cannot write ({exc.strerror or exc})") from None
    click.echo(f"{output}: exported profile {profile.name!r} ({chosen})")


@profile_group.command("clone")
@click.argument("name")
@click.argument("new_name", metavar="NEW_NAME")
@click.pass_obj
def clone_command(app: AppContext, name: str, new_name: str) -> None:
    """Store a copy of profile NAME as NEW_NAME (which must not exist yet)."""
    from leadline.services.profiles import clone

    clone(app.engine, name, new_name)
    click.echo(f"cloned profile {name!r} as {new_name!r}")


@profile_group.command("delete")
@click.argument("name")
@click.option(
    "--force", is_flag=True,
    help="Delete even when collections use it (their reports then fail until they get "
    "another profile).",
)  # fmt: skip
@click.pass_obj
def delete_command(app: AppContext, name: str, force: bool) -> None:
    """Delete a stored profile. A profile a collection names is kept (exit 2, naming the
    collections) unless --force."""
    from leadline.services.profiles import delete

    users = delete(app.engine, name, keep_used=not force)
    click.echo(f"deleted profile {name!r}")
    if users:
        click.echo(
            f"{plural(len(users), 'collection')} named it and now {_have(len(users))} no "
            f"profile: {', '.join(users)}",
            err=True,
        )


def _have(count: int) -> str:
    return "has" if count == 1 else "have"


def _stored(app: AppContext, name: str) -> Any:
    from leadline.errors import NotFoundError
    from leadline.services.profiles import find, unknown_message

    profile = find(app.engine, name)
    if profile is None:
        raise NotFoundError(unknown_message(app.engine, name))
    return profile


def _summary(stored: Any) -> dict[str, Any]:
    from leadline.domain.times import format_time

    profile = stored.profile
    return {
        "name": stored.name,
        "stages": None if profile is None else len(profile.stages),
        "start": None if profile is None else profile.start.event,
        "dora": None if profile is None else profile.dora is not None,
        "updated_at": format_time(stored.updated_at),
        "problem": stored.problem,
    }


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from leadline.cli.render import escape

    table = Table(title=plural(len(rows), "stored profile"), title_justify="left")
    for column, justify in [("name", "left"), ("stages", "right"), ("start", "left"),
                            ("dora", "left"), ("updated (UTC)", "left")]:  # fmt: skip
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        if row["problem"] is not None:
            invalid = f"invalid: {escape(row['problem'])}"
            table.add_row(escape(row["name"]), "", invalid, "", _minute(row["updated_at"]))
            continue
        dora = "yes" if row["dora"] else "no"
        stages = str(row["stages"])
        table.add_row(escape(row["name"]), stages, row["start"], dora, _minute(row["updated_at"]))
    Console(highlight=False).print(table)


def _minute(stamp: str) -> str:
    """``2024-05-01T10:20:30.5Z`` → ``2024-05-01 10:20`` (the table's column is UTC)."""
    return stamp[:16].replace("T", " ")
