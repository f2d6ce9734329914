"""One error hierarchy for everything leadline reports to a user.

Entry points (CLI, HTTP) turn a ``LeadlineError`` into one clear line or a JSON error body;
anything else is a bug and gets a traceback only under ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadline.words import plural


class LeadlineError(Exception):
    """Base class: ``str(err)`` is the one-line message shown to the user."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[str] = list(details or [])


class InputError(LeadlineError):
    """The user's input (a file, a record, an option) is wrong. Exit code 2, HTTP 4xx."""

    exit_code = 2
    code = "invalid_input"


class ConfigError(LeadlineError):
    """Settings are wrong (database URL, environment variables)."""

    exit_code = 2
    code = "invalid_config"


class StoreError(LeadlineError):
    """The database could not be reached or used."""

    code = "store_error"


RETRY_AFTER = 5  # seconds a client is told to wait (``Retry-After``) on WriteBusy or NotReady


class WriteBusy(StoreError):
    """The write lock was not obtained within the bounded wait (another writer holds it: an
    import, a long refresh chunk). Nothing was written; the caller may try again later —
    over HTTP this is 503 with ``Retry-After``."""

    code = "busy"

    def __init__(self, waited: float) -> None:
        super().__init__(
            f"the database is busy with another write (waited {waited:g} s); try again shortly"
        )
        self.waited = waited


class NotReady(LeadlineError):
    """A profile's figures are still being built for the first time (the server answers
    202 with the progress and ``Retry-After``; the building goes on in the background)."""

    code = "building"

    def __init__(self, profile: str, done: int, total: int) -> None:
        progress = f"{done:,} of {plural(total, 'change', spec=',')}" if total else "starting"
        super().__init__(
            f"the figures of profile {profile!r} are being built ({progress}); ask again shortly"
        )
        self.profile = profile
        self.done = done
        self.total = total


class NotFoundError(LeadlineError):
    """A named thing (profile, change, collection) does not exist."""

    exit_code = 2
    code = "not_found"


@dataclass(frozen=True, slots=True)
class LineError:
    """A problem with one line of an input file: rendered ``PATH:LINE: field: problem``."""

    path: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.problem}"


class RecordsError(InputError):
    """One or more records are invalid; nothing was written."""

    code = "invalid_records"

    def __init__(self, errors: list[LineError], total: int, shown: int = 50) -> None:
        self.errors = errors
        self.total = total
        lines = [str(e) for e in errors[:shown]]
        if total > len(lines):
            lines.append(f"… and {total - len(lines)} more")
        super().__init__(f"{plural(total, 'bad record')}; nothing was written", lines)
