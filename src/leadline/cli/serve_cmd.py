"""``leadline serve``"""

from __future__ import annotations

import click

from leadline.cli.context import AppContext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
def serve_command(app: AppContext, host: str, port: int) -> None:
    """Run the HTTP API (see docs/api.md)."""
    import uvicorn

    from leadline.api.app import create_app

    app.engine  # noqa: B018 - open and migrate the database before taking requests
    uvicorn.run(create_app(app.settings), host=host, port=port, log_level="info")
