"""Open the configured database, migrated to the newest schema."""

from __future__ import annotations

from sqlalchemy import Engine

from leadline.config import Settings
from leadline.store.db import make_engine
from leadline.store.migrate import ensure_schema


def open_database(settings: Settings) -> Engine:
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    return engine
