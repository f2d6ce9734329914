"""HTTP for every ``leadline sync``: the only part of ``leadline.sources`` that sends requests
or reads the clock (the tool packages map the answers, purely).

- ``client``: ``RestClient``, a GET-only JSON client over httpx (retries, rate-limit waits,
  secrets scrubbed from every message);
- ``paging``: ``Page`` and the three pagination styles the tools use (``Link: rel="next"``,
  ``page``/``per_page``, Jira's ``startAt``/``maxResults``);
- ``limits``: what the rate-limit and ``Retry-After`` headers say;
- ``urls``: ``safe_url`` (a URL fit for a message) and ``with_params``;
- ``errors``: ``RestError``.

The names the sync services use are importable from here.
"""

from leadline.sources.http.client import RestClient
from leadline.sources.http.errors import RestError
from leadline.sources.http.paging import Page
from leadline.sources.http.urls import safe_url, with_params

__all__ = ["Page", "RestClient", "RestError", "safe_url", "with_params"]
