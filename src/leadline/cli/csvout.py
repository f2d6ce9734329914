"""``--format csv`` of the CLI's reports: ``echo_csv`` is the one way a command prints CSV
(the cells through ``leadline.csvtext``: the formula-injection escape, the line ending), and
the rows of the reports that only the CLI gives. The reports the API gives as CSV too
(``dora``, ``lead-time``) are shaped in ``services.csvreports``, so both read alike.

Shapes (docs/cli.md, "CSV"):

- ``doctor``: one row per check (``severity,id,target,count,summary,fix``; ``target`` is
  the check's stage or rule); with ``--examples``, one row per example record instead
  (``id,target,record,at,detail``); with ``--excluded``, one row per excluded record
  (``rule,count,record,at,repo,detail``; a rule that took nothing out has one row, no record).
- ``collection list``: ``name,parent,depth,profile,inherits_profile,filters,members``.
- ``profile list``: ``name,stages,start,dora,updated_at,problem``.
- ``import``: ``kind,new,updated,unchanged`` per record kind.
- ``contributors unmatched``: ``identity,records,seen,suggestions`` (``where records`` and
  ``contributor (reason)``, separated by ``; ``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import click

from leadline.csvtext import Cell, to_csv

FORMATS = click.Choice(["table", "json", "csv"])
format_option = click.option(
    "--format", "fmt", type=FORMATS, default="table", show_default=True,
    help="csv: the columns docs/exports.md gives (formula-like cells escaped).",
)  # fmt: skip


def echo_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> None:
    click.echo(to_csv(header, rows), nl=False)


def echo_text(text: str) -> None:
    """A CSV already written (``services.csvreports``)."""
    click.echo(text, nl=False)


def _target(check: dict[str, Any]) -> str:
    return str(check.get("stage") or check.get("rule") or "")


def doctor(data: dict[str, Any], examples: bool) -> None:
    if examples:
        echo_csv(["id", "target", "record", "at", "detail"],
                 ([c["id"], _target(c), x["record"], x["at"], x["detail"]]
                  for c in data["checks"] for x in c["examples"]))  # fmt: skip
        return
    echo_csv(["severity", "id", "target", "count", "summary", "fix"],
             ([c["severity"], c["id"], _target(c), c["count"], c["summary"],
               c["hint"] if c["count"] else ""] for c in data["checks"]))  # fmt: skip


def excluded(data: dict[str, Any]) -> None:
    rows: list[list[Cell]] = []
    for rule in data["rules"]:
        records = rule["records"] or [{}]
        rows += [[rule["rule"], rule["count"], x.get("record"), x.get("at"), x.get("repo"),
                  x.get("detail")]
                 for x in records]  # fmt: skip
    echo_csv(["rule", "count", "record", "at", "repo", "detail"], rows)


def collections(nodes: Iterable[Any]) -> None:
    rows = []
    for n in nodes:
        filters = "; ".join(f"{k}={v}" for k, v in n.filters.as_text(",").items())
        members = ", ".join(m.contributor or f"collection:{m.collection}" for m in n.members or [])
        inherits = n.own_profile is None and n.profile is not None
        rows.append([n.name, n.parent, n.depth, n.profile, inherits, filters, members])
    echo_csv(["name", "parent", "depth", "profile", "inherits_profile", "filters", "members"],
             rows)  # fmt: skip


def profiles(rows: Iterable[dict[str, Any]]) -> None:
    header = ["name", "stages", "start", "dora", "updated_at", "problem"]
    echo_csv(header, ([r[h] for h in header] for r in rows))


def imported(counts: dict[str, Any]) -> None:
    echo_csv(["kind", "new", "updated", "unchanged"],
             ([k, c.new, c.updated, c.unchanged] for k, c in sorted(counts.items())))  # fmt: skip


def unmatched(found: Iterable[Any]) -> None:
    echo_csv(["identity", "records", "seen", "suggestions"],
             ([u.identity, u.records, "; ".join(f"{s['where']} {s['records']}" for s in u.seen),
               "; ".join(f"{s['contributor']} ({s['reason']})" for s in u.suggestions)]
              for u in found))  # fmt: skip
