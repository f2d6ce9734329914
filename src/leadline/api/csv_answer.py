"""``format=csv`` (or ``Accept: text/csv``) on ``GET /v1/metrics/dora`` and
``/v1/metrics/lead-time``: the same CSV as ``leadline dora|lead-time --format csv``
(``services.csvreports``), as ``text/csv; charset=utf-8``. ``format`` is ``json`` (the
default) or ``csv``; any other value is a 422, as every bad parameter."""

from __future__ import annotations

from typing import Literal

from fastapi import Query, Request, Response

Format = Literal["json", "csv"]
FORMAT_QUERY = Query(
    None,
    alias="format",
    description="csv: the CSV of the CLI's --format csv (also: Accept: text/csv)",
)


def wants_csv(request: Request, fmt: Format | None) -> bool:
    """``format=csv``; without ``format``, an ``Accept`` that names ``text/csv`` first."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.headers.get("accept", "")
    return accept.split(",")[0].split(";")[0].strip().lower() == "text/csv"


def csv_response(text: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8")
