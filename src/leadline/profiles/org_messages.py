"""The problems of an org file as its author reads them (``collections[0].filters.repos:
unknown field (did you mean 'repositories'?)``): the one wording ``leadline apply``,
``PUT /v1/org`` and ``PUT /v1/collections/{name}`` share.
"""

from __future__ import annotations

import difflib
from typing import Any

from leadline.profiles.collections import FILTERS
from leadline.profiles.conditions import CONDITION_KEYS, FILTER_TAGS
from leadline.profiles.model_types import RULE_ERROR
from leadline.profiles.models import EXCLUSION_KEYS
from leadline.profiles.views import RANGE_KEYS, VIEW_KEYS


def org_problem(err: Any) -> str:
    """One pydantic error of an org file (or a collection's or contributor's body) as
    ``where: what``: unknown keys with a suggestion from the keys allowed there."""
    # A filter's union tags (list or conditions) are left out; a rule's problem (a bad
    # regular expression, no condition) is located at its key inside the conditions.
    parts = [p for p in err["loc"] if p not in FILTER_TAGS]
    if err["type"] == RULE_ERROR:
        parts += list(err["ctx"]["loc"])
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
    if err["type"] == RULE_ERROR:
        return f"{loc}: {err['ctx']['what']}"
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1])
        within = err["loc"][:-1]
        choices = (list(RANGE_KEYS) if "range" in within else
                   list(VIEW_KEYS) if "views" in within else
                   list(FILTERS) if "filters" in within else
                   list(EXCLUSION_KEYS) if "exclude" in within else
                   ["contributor", "collection", "from", "to"] if "members" in within else
                   ["name", "email", "identities"] if "contributors" in within else
                   ["name", "description", "profile", "filters", "members", "exclude",
                    "children", "profiles", "contributors", "collections", "views"])  # fmt: skip
        if FILTER_TAGS[1] in err["loc"]:
            choices = list(CONDITION_KEYS)
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (expected one of {choices})"
        return f"{loc}: unknown field{hint}"
    if err["type"] == "missing":
        return f"{loc}: required"
    if err["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return f"{loc or '(file)'}: expected a mapping, got {type(err.get('input')).__name__}"
    return f"{loc or '(file)'}: {err['msg'].removeprefix('Value error, ')}"
