"""The web dashboard: server-rendered HTML pages over the same services as the API.

``router`` holds every page and ``/static``; ``create_app`` includes it. Pages are
read-only; any table of any page downloads as CSV or JSON (``web/export.py``); with
``LEADLINE_DASHBOARD_AUTH=key`` they need a read key (``web/auth.py``).
"""

from fastapi import APIRouter, Depends

from leadline.web import compare, drill, flow, pages, quality, reports, static, views
from leadline.web.auth import AuthFailed, refused, viewer
from leadline.web.export import read_export
from leadline.web.params import Kind

router = APIRouter(include_in_schema=False)
router.include_router(static.router)
pages_router = APIRouter(
    include_in_schema=False, dependencies=[Depends(viewer), Depends(read_export)]
)
pages_router.include_router(pages.router)
pages_router.include_router(compare.router)
pages_router.include_router(views.router)  # /v/NAME: the saved views
KINDS: tuple[Kind, ...] = ("c", "p")
for _kind in KINDS:
    # Names may hold "/": the drill-downs (``NAME/deployments``…, ``NAME/quality``,
    # ``NAME/time-in-status``…) must match first.
    pages_router.include_router(drill.subject_router(_kind), prefix=f"/{_kind}")
    pages_router.include_router(quality.subject_router(_kind), prefix=f"/{_kind}")
    pages_router.include_router(reports.subject_router(_kind), prefix=f"/{_kind}")
    pages_router.include_router(flow.subject_router(_kind), prefix=f"/{_kind}")
    pages_router.include_router(pages.subject_router(_kind), prefix=f"/{_kind}")
router.include_router(pages_router)

__all__ = ["AuthFailed", "refused", "router"]
