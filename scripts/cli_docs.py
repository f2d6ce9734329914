"""Write docs/cli.md from the commands' own --help (run: python scripts/cli_docs.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from leadline.cli.main import cli

OUT = Path(__file__).parents[1] / "docs" / "cli.md"


def render() -> str:
    parts = [
        "# Command line\n",
        "Generated from `--help` by `python scripts/cli_docs.py`; a test keeps it current.\n",
    ]

    def walk(command: click.Command, path: list[str]) -> None:
        ctx = click.Context(
            command,
            info_name=" ".join(path),
            max_content_width=100,
            terminal_width=100,
            help_option_names=["-h", "--help"],
        )
        parts.append(f"## `{' '.join(path)}`\n\n```\n{command.get_help(ctx)}\n```\n")
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name])

    walk(cli, ["leadline"])
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(render())
    sys.stdout.write(f"wrote {OUT}\n")
