"""Reading ServiceNow record fields, in every shape the Table API and a business rule give.

A field is a plain value (``"7"``; the Table API's default, every value a string), or, with
``sysparm_display_value=all`` (and in the documented business rule), an object
``{"value": …, "display_value": …}`` — references (``cmdb_ci``) as ``{"value": sys_id,
"display_value": name}``, sometimes with a ``link``. Numbers may come as strings, integers
or floats (``-5.0``). Empty fields are ``""``. Date-times are ``YYYY-MM-DD HH:MM:SS`` with no
zone: ``time`` reads them in the zone it is given.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from leadline.sources.payload import Node

_FORMAT = "%Y-%m-%d %H:%M:%S"


def raw(node: Node) -> Node:
    """The field's actual value (``value`` of an object field, else the field itself)."""
    if isinstance(node.value, dict):
        return node.get("value")
    return node


def text(node: Node) -> str | None:
    """The actual value as text (numbers kept as written: ``-5.0`` → ``-5``); empty → None."""
    found = raw(node)
    value = found.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return found.opt_id_text()


def label(node: Node) -> str | None:
    """What a person sees: ``display_value`` when the field carries one, else the value."""
    if isinstance(node.value, dict):
        shown = node.get("display_value")
        if isinstance(shown.value, str) and shown.value.strip():
            return shown.value.strip()
    return text(node)


def code(node: Node) -> int | None:
    """An integer choice value (``state``, ``priority``): ``"7"``, ``7`` or ``7.0``."""
    value = text(node)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise raw(node).error(f"expected an integer choice value, got {value!r}") from None


def time(node: Node, zone: tzinfo) -> datetime | None:
    """A ServiceNow date-time read in ``zone``, as UTC; empty → ``None``."""
    value = text(node)
    if value is None:
        return None
    try:
        naive = datetime.strptime(value.strip(), _FORMAT)
    except ValueError:
        problem = f"expected a date-time YYYY-MM-DD HH:MM:SS, got {value!r}"
        raise raw(node).error(problem) from None
    return naive.replace(tzinfo=zone).astimezone(UTC)
