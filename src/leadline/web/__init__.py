"""The web dashboard: server-rendered HTML pages over the same services as the API.

``router`` holds every page and ``/static``; ``create_app`` includes it. Pages are
read-only and need no API key (see docs/dashboard.md for the trade-off).
"""

from fastapi import APIRouter

from leadline.web import drill, pages, static
from leadline.web.params import Kind

router = APIRouter(include_in_schema=False)
router.include_router(static.router)
router.include_router(pages.router)
KINDS: tuple[Kind, ...] = ("c", "p")
for _kind in KINDS:
    # Names may hold "/": the drill-downs (``NAME/deployments``…) must match first.
    router.include_router(drill.subject_router(_kind), prefix=f"/{_kind}")
    router.include_router(pages.subject_router(_kind), prefix=f"/{_kind}")

__all__ = ["router"]
