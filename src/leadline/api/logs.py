"""Request logs that never carry a secret: a logging filter that masks secret-looking query
values (Jira's ``?secret=``, ``token=``, ``key=``…) in uvicorn's access lines, and the uvicorn
log configuration that installs it."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

SECRET_VALUES = re.compile(
    r"((?:secret|token|password|passwd|key|apikey|api_key|access_token)=)[^&\s\"']+", re.I
)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_VALUES.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = SECRET_VALUES.sub(r"\1***", record.msg)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with ``RedactSecrets`` on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": "leadline.api.logs.RedactSecrets"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact")
    return config
