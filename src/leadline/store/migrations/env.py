"""Alembic environment: runs on the connection leadline hands it (see ``store.migrate``)."""

from __future__ import annotations

from alembic import context

from leadline.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via `alembic` CLI with a URL
    raise RuntimeError("run migrations through leadline.store.migrate")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
