"""The org file's saved views as ``leadline apply`` checks and stores them, in the
transaction that replaces the collections (``services/collections.apply_org``); reading
them, and who may see which, is ``services/views.py``."""

from __future__ import annotations

from sqlalchemy import Connection

from leadline.metrics.choices import INTERVALS, STATISTICS
from leadline.profiles.collections import OrgSpec, walk
from leadline.store import views as store


def problems(org: OrgSpec, profiles: set[str]) -> list[str]:
    """What is wrong with the org's views given its collections and the stored profiles
    (``profiles``): each must show a collection of the file or a stored profile, with an
    interval and a statistic every report offers."""
    names = {node.name.casefold() for _, node, _ in walk(org.collections)}
    found = []
    for i, view in enumerate(org.views):
        for key, value, choices in (("interval", view.interval, INTERVALS),
                                    ("stat", view.stat, STATISTICS)):  # fmt: skip
            if value is not None and value not in choices:
                found.append(f"views[{i}].{key}: expected one of {', '.join(choices)}, "
                             f"got {value!r}")  # fmt: skip
        if view.collection is not None and view.collection.casefold() not in names:
            found.append(f"views[{i}].collection: no collection named {view.collection!r} "
                         "(give it under collections:)")  # fmt: skip
        if view.profile is not None and view.profile not in profiles:
            found.append(f"views[{i}].profile: no profile named {view.profile!r} "
                         "(give it under profiles:)")  # fmt: skip
    return found


def replace(conn: Connection, org: OrgSpec, now: int) -> None:
    """Store the org's views in place of the stored ones (a view names its collection as
    the file spells the collection's ``name``)."""
    spelled = {node.name.casefold(): node.name for _, node, _ in walk(org.collections)}
    bodies = []
    for view in org.views:
        if view.collection is not None:
            view = view.model_copy(update={"collection": spelled[view.collection.casefold()]})
        bodies.append(view.as_json())
    store.replace_all(conn, bodies, now)
