"""``create_app(settings)``: the FastAPI application.

The database engine, the refresher and the writer live as long as the app's lifespan: made
when it starts (opening the database and bringing its schema up to date before the first
request), stopped and disposed when it ends. Requests read them from ``app.state``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.openapi.utils import get_openapi

from leadline import __version__
from leadline.api import (
    docs,
    errors,
    routes_collections,
    routes_contributors,
    routes_flow,
    routes_health,
    routes_ingest,
    routes_overview,
    routes_quality,
    routes_reports,
    routes_views,
    routes_webhooks,
    routes_webhooks_tools,
)
from leadline.api.batcher import Writer
from leadline.api.limits import BodyLimit
from leadline.api.schemas import REF, ErrorBody, component_schemas
from leadline.config import Settings
from leadline.services.database import open_database
from leadline.services.refresher import Refresher
from leadline.web import AuthFailed, refused
from leadline.web import router as web_router


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = open_database(settings)
        refresher = Refresher(
            engine, read_wait=settings.read_wait, write_wait=settings.write_wait,
            poll=settings.refresh_poll, external=settings.refresher == "external",
        )  # fmt: skip
        writer = Writer(engine, wait=settings.write_wait, on_commit=refresher.nudge)
        app.state.engine, app.state.refresher, app.state.writer = engine, refresher, writer
        refresher.start()  # brings every profile up to date from the start
        try:
            yield
        finally:
            refresher.stop()
            writer.stop()
            engine.dispose()

    app = FastAPI(
        title="leadline",
        version=__version__,
        description="Lead time by stage and the four DORA metrics, self-hosted.",
        lifespan=lifespan,
        docs_url=None,  # served from the package by api/docs.py, not from a CDN
        redoc_url=None,
    )
    _document_bodies(app)
    app.state.settings = settings
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.include_router(routes_webhooks.router)  # first: the busiest, matched in order
    app.include_router(routes_webhooks_tools.router)
    app.include_router(routes_ingest.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_overview.router)
    app.include_router(routes_quality.router)
    app.include_router(routes_flow.router)
    app.include_router(routes_collections.router)
    app.include_router(routes_contributors.router)
    app.include_router(routes_views.router)
    app.include_router(routes_health.router)
    app.include_router(docs.router)
    app.include_router(web_router)  # the dashboard: / and /static

    @app.exception_handler(AuthFailed)
    async def _dashboard_auth(_: Any, exc: AuthFailed) -> Response:
        return refused(exc)

    return app


def app_from_environment() -> FastAPI:
    """The app of one ``leadline serve --workers N`` process: settings from LEADLINE_*."""
    return create_app(Settings())


def _document_bodies(app: FastAPI) -> None:
    """Add the schemas of raw-read bodies (records, profiles, custom CI/CD) to the document."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, body in component_schemas().items():
                components.setdefault(name, body)
            # FastAPI documents its own 422 shape; every error here has the one ErrorBody.
            error = {"$ref": "#/components/schemas/ErrorBody"}
            for operations in schema["paths"].values():
                for op in operations.values():
                    for code, answer in op.get("responses", {}).items():
                        if code.startswith("4"):
                            answer["content"] = {"application/json": {"schema": error}}
            components.setdefault("ErrorBody", ErrorBody.model_json_schema(ref_template=REF))
            for unused in ("HTTPValidationError", "ValidationError"):
                components.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
