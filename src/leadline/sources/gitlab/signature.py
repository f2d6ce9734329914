"""GitLab's webhook check: GitLab signs nothing, it sends the secret itself as
``X-Gitlab-Token``, compared by the shared token rule of ``leadline.sources.signatures``
(bytes, constant time, several secrets for rotation).
"""

from __future__ import annotations

from leadline.sources import signatures


def token_ok(header: str | None, secrets: list[str]) -> bool:
    """Is ``X-Gitlab-Token`` one of ``secrets``?"""
    return signatures.token_ok(header, secrets)
