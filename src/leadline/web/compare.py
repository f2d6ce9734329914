"""``/compare?profile=A&profile=B``: what-if, the same window's lead time under two stored
profiles (``leadline lead-time --profile A --profile B``; services/leadtime_compare.py).

Each profile's headline, the stages side by side matched by name with B − A (and in %), and
the changes both count with their totals under each, the biggest differences first.
"""

import time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from leadline.errors import InputError
from leadline.services.leadtime_compare import compare
from leadline.web import formatting as fmt
from leadline.web.auth import ViewerDep
from leadline.web.pages import navigation
from leadline.web.params import EngineDep, ParamsDep, RefresherDep, change_path, find_subject
from leadline.web.render import html_errors, page

router = APIRouter(include_in_schema=False)


def signed(seconds: float | None) -> str:
    """``-3600.0`` → ``−1h 0m``; ``—`` for no data."""
    if seconds is None:
        return "—"
    return ("−" if seconds < 0 else "+") + fmt.duration(abs(seconds))


def signed_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} %".replace("-", "−")


@router.get("/compare")
@html_errors
def compare_page(
    engine: EngineDep, refresher: RefresherDep, params: ParamsDep, who: ViewerDep,
    profile: Annotated[list[str] | None, Query()] = None,
) -> Response:  # fmt: skip
    view = params.view()
    names = profile or []
    if len(names) != 2:
        raise InputError(f"profile: give two profiles to compare (profile=A&profile=B), "
                         f"got {len(names)}")  # fmt: skip
    a, b = (find_subject(engine, "p", name, who) for name in names)
    refresher.settle(a.profile)
    refresher.settle(b.profile)
    result = compare(engine, a.profile, b.profile, view.stat, view.window(), build=False)
    links = {
        c["change"]: (change_path(a, c["change"]) + view.query(),
                      change_path(b, c["change"]) + view.query())
        for c in result["changes"]["items"]
    }  # fmt: skip
    swap = "/compare" + view.query() + "&" + urlencode([("profile", b.name), ("profile", a.name)])
    return page(
        "compare.html", swap=swap, **navigation(engine, None, view, who), page_name="compare",
        a=a, b=b, result=result, links=links, signed=signed, signed_percent=signed_percent,
        freshness=fmt.freshness(result.get("as_of"), int(time.time() * 1_000_000)),
    )  # fmt: skip
