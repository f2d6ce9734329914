"""The HTTP API (FastAPI): ``create_app(settings)``; ``leadline serve`` runs it."""
