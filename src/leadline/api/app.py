"""``create_app(settings)``: the FastAPI application."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import Engine

from leadline import __version__
from leadline.api import errors, routes_health, routes_ingest, routes_reports, routes_webhooks
from leadline.api.batcher import DeliveryBatcher
from leadline.config import Settings
from leadline.services.database import open_database


def _engine_once(settings: Settings) -> Callable[[], Engine]:
    lock = threading.Lock()
    engine: list[Engine] = []

    def get() -> Engine:
        if not engine:
            with lock:
                if not engine:
                    engine.append(open_database(settings))
        return engine[0]

    return get


def create_app(settings: Settings) -> FastAPI:
    engine = _engine_once(settings)
    app = FastAPI(
        title="leadline",
        version=__version__,
        description="Lead time by stage and the four DORA metrics, self-hosted.",
    )
    app.state.engine = engine
    app.state.batcher = DeliveryBatcher(engine)
    app.state.settings = settings
    errors.install(app)
    app.include_router(routes_ingest.router)
    app.include_router(routes_reports.router)
    app.include_router(routes_webhooks.router)
    app.include_router(routes_health.router)
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``leadline serve --workers N`` process: settings from LEADLINE_*."""
    return create_app(Settings())
