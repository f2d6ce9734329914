"""Tables and CSV of ``lead-time --by type|priority|label|project`` and of the what-if
(``lead-time --profile A --profile B``)."""

from __future__ import annotations

from typing import Any

from leadline.cli.render import NO_DATA, escape, human
from leadline.csvtext import Cell, to_csv
from leadline.words import plural


def signed(seconds: float | None) -> str:
    """``-3600.0`` → ``−1h``; ``—`` for none."""
    if seconds is None:
        return "—"
    return ("−" if seconds < 0 else "+") + human(abs(seconds))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} %".replace("-", "−")


def group_table(result: dict[str, Any]) -> None:
    """One row per group: its changes, total and each stage's figure."""
    from rich.console import Console
    from rich.table import Table

    note = f" ({result['groups_note']})" if "groups_note" in result else ""
    table = Table(
        title=f"{result['statistic'].capitalize()} lead time by {result['by']}{note}",
        title_justify="left",
    )
    table.add_column(result["by"])
    for name in ("changes", "total"):
        table.add_column(name, justify="right")
    for stage in result["stages"]:
        table.add_column(escape(stage["name"]), justify="right")
    for g in result["groups"]:
        stages = [human(s["seconds"]) if s["samples"] else NO_DATA for s in g["stages"]]
        total = human(g["total_seconds"]) if g["changes"] else NO_DATA
        table.add_row(escape(g["name"]), str(g["changes"]), total, *stages)
    Console(highlight=False).print(table)


def compare_tables(result: dict[str, Any]) -> None:
    """The stages side by side with B − A, then the changes both count."""
    from rich.console import Console
    from rich.table import Table

    a, b = result["a"], result["b"]
    console = Console(highlight=False)
    table = Table(
        title=f"{result['statistic'].capitalize()} lead time: A {escape(a['profile'])} "
        f"({plural(a['changes'], 'change')}) vs B {escape(b['profile'])} "
        f"({plural(b['changes'], 'change')})",
        title_justify="left",
    )
    table.add_column("stage")
    for name in ("A", "B", "B − A", "%"):
        table.add_column(name, justify="right")
    for s in [*result["stages"], {"name": "Total", **result["total"]}]:
        if s["name"] == "Total":
            table.add_section()
        a_side, b_side = human(s["a_seconds"]), human(s["b_seconds"])
        difference = signed(s["difference_seconds"])
        table.add_row(
            escape(s["name"]), a_side, b_side, difference, percent(s["difference_percent"])
        )
    console.print(table)
    changes = result["changes"]
    listed = Table(
        title=f"Changes both count: {changes['both']} (the {changes['shown']} biggest differences)",
        title_justify="left",
    )
    listed.add_column("change")
    for name in ("A", "B", "B − A"):
        listed.add_column(name, justify="right")
    for c in changes["items"]:
        listed.add_row(escape(c["change"]), human(c["a_seconds"]), human(c["b_seconds"]),
                       signed(c["difference_seconds"]))  # fmt: skip
    console.print(listed)


def compare_csv(result: dict[str, Any]) -> str:
    """One row per stage and the total (``kind`` stage), then one per change both count
    (``kind`` change); seconds, empty for no data (the CSV rules of ``csvtext``)."""
    header = ["kind", "name", "a_seconds", "b_seconds", "difference_seconds",
              "difference_percent"]  # fmt: skip
    rows: list[list[Cell]] = [
        ["stage", s["name"], s["a_seconds"], s["b_seconds"], s["difference_seconds"],
         s["difference_percent"]]
        for s in [*result["stages"], {"name": "Total", **result["total"]}]
    ]  # fmt: skip
    rows += [
        ["change", c["change"], c["a_seconds"], c["b_seconds"], c["difference_seconds"], None]
        for c in result["changes"]["items"]
    ]
    return to_csv(header, rows)
