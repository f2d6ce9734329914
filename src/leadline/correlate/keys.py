"""Ticket keys (``PROJ-123``) found in free text: commit messages, PR titles, branch names.

A key is a project key (a letter, then letters, digits or underscores), a dash and digits,
matched as a **whole key**:

* it must not continue a longer word on the left: ``XHX-1`` is the key ``XHX-1``, never
  ``HX-1``; an underscore on the left does not count as part of the word, because branch
  names use it as a separator (``feature_HX-1`` yields ``HX-1``; if the text before the
  underscore also forms a project key, that longer key is found as well);
* it must not be followed by a letter or digit: ``HX-10`` and ``HX-1a`` are not ``HX-1``,
  while ``HX-1.``, ``HX-1:``, ``[HX-1]``, ``HX-1-login`` and ``HX-1_fix`` are.

Messages and titles are matched case-sensitively (Jira keys are upper case, so ``hx-1`` in
a message is not a key); branch names are matched with ``ignore_case=True`` and the keys
found are upper-cased (``feature/hx-1-login`` → ``HX-1``).

Azure Boards work items are mentioned as ``AB#123`` (Azure's own syntax: it links such a
mention in a commit message, a PR title or description to work item 123 of the
organisation); leadline stores Azure work items under that same key, so a mention is a key
like any other, with the same whole-word rule (``XAB#1``, ``AB#12a`` and ``AB#1`` inside
``AB#10`` are not mentions). ``board_keys`` finds only these mentions: a PR description is
read for them alone, as Azure does (a description often names other tickets in passing).
"""

from __future__ import annotations

import re

# Zero-width search so that keys starting after an underscore inside a longer candidate
# (``FEATURE_HX-1``) are found too; the captured group is the key.
_LEFT = r"(?<![A-Za-z0-9])"
_RIGHT = r"(?![A-Za-z0-9])"
_KEY = re.compile(_LEFT + r"(?=([A-Z][A-Z0-9_]*-[0-9]+)" + _RIGHT + ")")
_KEY_ANY_CASE = re.compile(_LEFT + r"(?=([A-Za-z][A-Za-z0-9_]*-[0-9]+)" + _RIGHT + ")")
BOARDS_PREFIX = "AB#"
_BOARDS = re.compile(_LEFT + r"AB#([0-9]+)" + _RIGHT)
_BOARDS_ANY_CASE = re.compile(_LEFT + r"AB#([0-9]+)" + _RIGHT, re.IGNORECASE)


def find_keys(text: str | None, *, ignore_case: bool = False) -> set[str]:
    """Every whole ticket key in ``text`` (empty for ``None``/empty text)."""
    if not text:
        return set()
    if ignore_case:
        found = {m.group(1).upper() for m in _KEY_ANY_CASE.finditer(text)}
    else:
        found = {m.group(1) for m in _KEY.finditer(text)}
    return found | board_keys(text, ignore_case=ignore_case)


def board_keys(text: str | None, *, ignore_case: bool = False) -> set[str]:
    """Every Azure Boards mention ``AB#123`` in ``text``, as the key ``AB#123``."""
    if not text:
        return set()
    pattern = _BOARDS_ANY_CASE if ignore_case else _BOARDS
    return {BOARDS_PREFIX + m.group(1) for m in pattern.finditer(text)}
