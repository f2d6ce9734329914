"""``leadline lead-time --interval day|week|month``: the trend series, stacked by stage.

The series is the lead-time JSON's ``series`` (``services/leadtime.py``): per bucket (by
when each change reached its last stage) the changes, the total and each stage's figure
(``stages``: the report's statistic over the bucket's changes, ``None`` where a stage has no
sample). The table prints one row per bucket and one column per stage; ``--format csv``
prints the same rows (``start,changes,total_seconds,<stage>…``, seconds, empty where there
is no data); ``--format json`` carries ``series`` in the document. A bucket's ``start`` is
its calendar start (the first bucket may begin before the window: only times inside the
window count), as in every series (docs/dora.md#series).
"""

from __future__ import annotations

from typing import Any

from leadline.cli.render import NO_DATA, escape, human
from leadline.services.csvreports import series_rows


def series_table(result: dict[str, Any], interval: str) -> None:
    from rich.console import Console
    from rich.table import Table

    header, rows = series_rows(result)
    table = Table(
        title=f"{escape(result['profile'])} — {result['statistic']} lead time by stage, "
        f"by {interval}",
        title_justify="left",
    )
    table.add_column("from", justify="left", no_wrap=True)
    table.add_column("changes", justify="right")
    table.add_column("total", justify="right")
    for name in header[3:]:
        table.add_column(escape(name), justify="right")
    for start, changes, *seconds in rows:
        table.add_row(start, str(changes), *(NO_DATA if s is None else human(s) for s in seconds))
    Console(highlight=False).print(table)
