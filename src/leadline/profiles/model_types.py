"""What every profile model shares: the strict base model, the field types (non-blank text,
non-empty name lists, durations, run parameters, category and match literals) and
``raise_first``, which turns a rule's first problem into a pydantic error (``RULE_ERROR``,
whose ``loc`` context ``messages`` reads back to report at the exact key).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from leadline.profiles.durations import parse_duration
from leadline.profiles.problems import Problem

Category = Literal["todo", "in_progress", "done"]
PatternMatch = Literal["any", "all"]

Seconds = Annotated[float, BeforeValidator(parse_duration)]
#: A non-blank string (a name, a status, a glob).
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
#: A non-empty list of non-blank strings: an empty filter list would match nothing.
Names = Annotated[list[Text], Field(min_length=1)]
#: Run parameters a pipeline run must carry: name (exact) → value glob (case-insensitive);
#: see ``correlate.scope.params_match``.
Params = Annotated[dict[Text, Text], Field(min_length=1)]

RULE_ERROR = "profile_rule"


def raise_first(problems: list[Problem]) -> None:
    """Raise the first problem as a pydantic error whose ``ctx['loc']`` extends its loc."""
    if problems:
        loc, what = problems[0]
        raise PydanticCustomError(RULE_ERROR, "{what}", {"what": what, "loc": loc})


class StrictModel(BaseModel):
    """Unknown keys are errors; a validated profile is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
