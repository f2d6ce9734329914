"""The API test client fixtures (the real ASGI app on the test database), for the round trip."""

from tests.api.conftest import client, keys

__all__ = ["client", "keys"]
