"""Integrations: one module per tool (slug = module name), each a pure ``parse`` from a
decoded payload to domain records. No database, no HTTP, no clock — the services do I/O.

``base`` holds what they share: ``Parsed`` (the result), ``PayloadError`` (a payload leadline
cannot read, naming the JSON path) and ``merge`` (how a webhook snapshot is combined with
the stored record). See docs/sources.md.
"""

from leadline.sources.base import Parsed, PayloadError, merge

__all__ = ["Parsed", "PayloadError", "merge"]
