"""URLs for ``leadline.sources.http``: a URL fit for a message or a log (``safe_url``: no
userinfo, secret-looking query values hidden) and a URL with query parameters set
(``with_params``, the next page of a numbered or offset listing).

Pure functions of their arguments (no request is sent).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

_SECRET_PARAM = re.compile(r"token|key|secret|password|passwd|sig|auth|credential", re.I)


def safe_url(url: str | httpx.URL) -> str:
    """``url`` fit for a message or a log: no userinfo, secret-looking query values hidden."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, True)],
        safe="*:,/",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def with_params(url: str | httpx.URL, updates: Mapping[str, Any]) -> str:
    """``url`` with the query parameters in ``updates`` set: the others are kept in their
    order, each updated one is removed and added again at the end (so a stored next-page URL
    always ends with its page number or offset)."""
    result = httpx.URL(str(url))
    for key, value in updates.items():
        result = result.copy_remove_param(key).copy_add_param(key, str(value))
    return str(result)
