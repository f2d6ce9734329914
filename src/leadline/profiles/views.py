"""Saved views (the org file's ``views:``): named dashboards, each a collection's (or a
stored profile's) overview restricted to some widgets, in their order, with its own default
range, interval and statistic (pure: no database).

A view is drawn at ``/v/NAME`` (docs/dashboard.md "Saved views"); its ``range``, ``interval``
and ``stat`` are defaults the page's query parameters override. Views are stored with the
collections and replaced whole on each ``leadline apply`` (docs/collections.md), which
checks that each view's collection is in the file and its profile stored.

``range`` is one of ``last: 30d`` (a duration of whole days, ``profiles/durations.py``),
``days: 30`` (the same) or ``from``/``to`` (dates or RFC 3339 times, as ``--from``/``--to``
read them: ``domain/times.parse_bound``). Without a range the view shows the default window
of every report (``metrics/windows.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from leadline.domain.times import parse_bound
from leadline.profiles.durations import parse_duration
from leadline.profiles.model_types import Text

#: What a view may show, in the overview's own order (the default). The five DORA figures
#: are the overview's cards (``web/view.py`` ``widgets``, by their key); the last two its
#: lead-time sections.
WIDGETS = (
    "deployment_frequency", "lead_time", "change_failure_rate", "mean_time_to_restore",
    "deployment_rework_rate", "lead_time_by_stage", "lead_time_by_category",
)  # fmt: skip
VIEW_KEYS = ("name", "description", "collection", "profile", "widgets", "range", "interval",
             "stat")  # fmt: skip
RANGE_KEYS = ("last", "days", "from", "to")
MAX_DAYS = 3660
_DAY = 86_400


def _widget(value: str) -> str:
    if value not in WIDGETS:
        raise ValueError(f"unknown widget {value!r} (expected {', '.join(WIDGETS)})")
    return value


Widget = Annotated[str, AfterValidator(_widget)]


def _days(value: object) -> int:
    seconds = parse_duration(value)
    if seconds <= 0 or seconds % _DAY:
        raise ValueError(f"last: expected whole days (e.g. 30d or 4w), got {value!r}")
    return int(seconds // _DAY)


def _text(value: object) -> object:
    """A YAML date or time (``from: 2024-01-01`` unquoted) as the text it was written as."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def _bound(value: str) -> str:
    parse_bound(value)  # its ValueError names the accepted forms
    return value.strip()


Bound = Annotated[str, BeforeValidator(_text), AfterValidator(_bound)]


class RangeSpec(BaseModel):
    """A view's default window: the last N days (``last: 30d`` or ``days: 30``, ending at
    the end of today, UTC) or fixed bounds (``from``/``to``, either may be left open)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    last: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
    start: Bound | None = Field(None, alias="from")
    end: Bound | None = Field(None, alias="to")

    @model_validator(mode="before")
    @classmethod
    def _read_last(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("last"), str):
            return {**data, "last": _days(data["last"])}
        return data

    @model_validator(mode="after")
    def _one_form(self) -> RangeSpec:
        forms = [self.last is not None, self.days is not None,
                 self.start is not None or self.end is not None]  # fmt: skip
        if sum(forms) != 1:
            raise ValueError("give one of last (e.g. 30d), days (e.g. 30), or from/to")
        if self.start and self.end and parse_bound(self.start) >= parse_bound(self.end):
            raise ValueError(f"from {self.start} is not before to {self.end}")
        return self

    @property
    def span(self) -> int | None:
        """The number of days a ``last``/``days`` range covers (``None``: fixed bounds)."""
        return self.last if self.last is not None else self.days

    def as_json(self) -> dict[str, Any]:
        if self.span is not None:
            return {"days": self.span}
        return {k: v for k, v in (("from", self.start), ("to", self.end)) if v is not None}


class ViewSpec(BaseModel):
    """One entry of ``views:``: what it shows (a collection or a profile, and which widgets in
    which order) and its default window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    description: str | None = None
    collection: Text | None = None
    profile: Text | None = None
    widgets: Annotated[list[Widget], Field(min_length=1)] = Field(
        default_factory=lambda: list(WIDGETS)
    )
    range: RangeSpec | None = None
    # Checked against the report's choices (``metrics/choices.py``) by ``services/views.py``:
    # the profiles layer sits below the metrics.
    interval: Text | None = None
    stat: Text | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> ViewSpec:
        if (self.collection is None) == (self.profile is None):
            raise ValueError("give either collection or profile (what the view shows)")
        seen = [w for i, w in enumerate(self.widgets) if w in self.widgets[:i]]
        if seen:
            raise ValueError(f"widgets: {seen[0]!r} is listed twice")
        return self

    @property
    def kind(self) -> str:
        """``c`` (a collection) or ``p`` (a profile), as the dashboard's paths name them."""
        return "c" if self.collection is not None else "p"

    @property
    def subject(self) -> str:
        return self.collection if self.collection is not None else str(self.profile)

    def as_json(self) -> dict[str, Any]:
        """As stored and as ``GET /v1/views`` answers (``range`` as ``days`` or bounds)."""
        return {
            "name": self.name, "description": self.description, "collection": self.collection,
            "profile": self.profile, "widgets": list(self.widgets),
            "range": None if self.range is None else self.range.as_json(),
            "interval": self.interval, "stat": self.stat,
        }  # fmt: skip


CARDS = WIDGETS[:5]  # drawn together, as the overview's cards


def sections(widgets: Sequence[str]) -> list[str]:
    """The overview's sections for ``widgets``, in their order: ``cards`` (the DORA cards,
    drawn together where the first of them is listed), ``lead_time_by_stage``,
    ``lead_time_by_category``."""
    out: list[str] = []
    for key in widgets:
        part = "cards" if key in CARDS else key
        if part not in out:
            out.append(part)
    return out


def unique_names(views: list[ViewSpec]) -> None:
    """Raise ``ValueError`` at the second view of a name (names are case-insensitive, as
    in the URL ``/v/NAME``)."""
    seen: set[str] = set()
    for i, view in enumerate(views):
        if view.name.casefold() in seen:
            raise ValueError(f"views[{i}]: a second view named {view.name!r}")
        seen.add(view.name.casefold())
