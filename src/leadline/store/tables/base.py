"""Shared by every table module: the ``MetaData`` (with the constraint naming convention the
migrations rely on), the ``Micros`` time type and the column helpers.

Times are ``BigInteger`` microseconds since the Unix epoch, UTC (``Micros``; columns end in
``_at``). ``record_columns`` are ``data`` (the whole normalized record as JSON text) and
``digest`` (its sha256), so an unchanged re-import is detected without touching the row.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, String, Text

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

Micros = BigInteger


def id_column() -> Column[int]:
    """The surrogate key every table but ``change_log`` has."""
    return Column("id", Integer, primary_key=True, autoincrement=True)


def parent_column(name: str, table: str) -> Column[int]:
    """A child row's reference to its parent's ``id`` (indexed, ``ON DELETE CASCADE``)."""
    return Column(name, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=True)


def record_columns() -> list[Column[str]]:
    """``data`` and ``digest`` of a record table."""
    return [Column("data", Text, nullable=False), Column("digest", String(64), nullable=False)]
