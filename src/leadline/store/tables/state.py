"""Service state that is not derived from records: API keys, stored profiles, sync cursors,
collections, saved views and contributors.

These rows are the operator's (or an incremental pull's) own; no refresh rewrites them.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from leadline.store.tables.base import Micros, id_column, metadata, parent_column

api_keys = Table(
    "api_keys",
    metadata,
    id_column(),
    Column("name", Text, nullable=False),
    # The key is "ll_<prefix>_<secret>"; only the prefix (to find the row) and the sha256 of
    # the secret are stored, never the key itself.
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(64), nullable=False),
    Column("created_at", Micros, nullable=False),
    Column("revoked_at", Micros),
    # A read key limited to one collection (and those under it); NULL: not limited.
    Column("collection", Text),
)

profiles = Table(
    "profiles",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("body", Text, nullable=False),  # JSON, as leadline.profiles.profile_to_dict
    Column("updated_at", Micros, nullable=False),
)

# Where each incremental pull (``leadline git``, ``leadline sync``) stopped: one row per
# (source, scope, resource), written in the same transaction as the records it pulled, so a
# killed run resumes exactly where its last commit left off.
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("source", String(32), primary_key=True),  # git | github | gitlab | jira
    Column("scope", String(512), primary_key=True),  # repository, project, site+JQL…
    Column("resource", String(64), primary_key=True),  # pulls, commits, tags, issues…
    Column("cursor", Text, nullable=False),  # JSON, the resource's own shape
    Column("updated_at", Micros, nullable=False),
)

# Collections (teams): a tree by parent name; filters as JSON (profiles/collections.py).
collections = Table(
    "collections",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("parent", Text, index=True),  # the parent's name; NULL at the top
    Column("position", Integer, nullable=False),  # order among siblings
    Column("profile", Text),  # a stored profile's name; NULL: inherited
    Column("filters", Text, nullable=False),  # JSON object of the collection's own filters
    Column("description", Text),
    # JSON list of the collection's members (profiles/collections.py ``Member*``); NULL: none.
    Column("members", Text),
    Column("updated_at", Micros, nullable=False),
)

# Saved views (profiles/views.py): replaced whole with the collections by ``leadline apply``.
views = Table(
    "views",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("position", Integer, nullable=False),  # order in the org file
    Column("body", Text, nullable=False),  # JSON, as ViewSpec.as_json
    Column("updated_at", Micros, nullable=False),
)

# Contributors (people) and the identities their records carry (profiles/contributors.py).
contributors = Table(
    "contributors",
    metadata,
    id_column(),
    Column("name", Text, nullable=False, unique=True),
    Column("email", Text),
    Column("updated_at", Micros, nullable=False),
)

# One row per identity; ``key`` is the identity case-folded: one identity, one contributor.
contributor_identities = Table(
    "contributor_identities",
    metadata,
    id_column(),
    parent_column("contributor_id", "contributors"),
    Column("position", Integer, nullable=False),  # order as given
    Column("identity", Text, nullable=False),
    Column("key", Text, nullable=False, unique=True),
)
