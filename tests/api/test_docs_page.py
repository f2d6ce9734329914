"""``/docs`` loads nothing from another host: Swagger UI comes from the package, every URL
the page names is same-origin and answers 200, and the page has the dashboard's CSP
(scripts from this origin only, nothing inline). ReDoc, which would load from a CDN, is off."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from leadline.api.app import create_app
from leadline.config import Settings
from leadline.web.render import CSP


def test_docs_is_served_from_the_package() -> None:
    with TestClient(create_app(Settings(database_url="sqlite://"))) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CSP
        assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
        text = page.text
        assert "<script>" not in text and "style=" not in text  # nothing inline
        urls = re.findall(r'(?:src|href|data-openapi)="([^"]+)"', text)
        assert len(urls) == 6, urls
        for url in urls:
            assert url.startswith("/") and not url.startswith("//"), url
            response = client.get(url)
            assert response.status_code == 200, url
        assert not re.search(r"https?://", text)
        init = client.get(next(u for u in urls if "swagger-init.js" in u))
        assert '"/openapi.json"' in init.text and "validatorUrl: null" in init.text
        bundle = client.get(next(u for u in urls if "swagger-ui-bundle.js" in u))
        assert bundle.headers["content-type"].startswith("text/javascript")
        assert "SwaggerUIBundle" in bundle.text
        assert "immutable" in bundle.headers["cache-control"]
        assert client.get("/docs/assets/swagger-ui-LICENSE").status_code == 200
        assert client.get("/docs/assets/..%2Fdocs.py").status_code == 404
        assert client.get("/docs/assets/app.py").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert "/docs" not in client.get("/openapi.json").json()["paths"]
