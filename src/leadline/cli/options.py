"""Options shared by the reporting commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _bound(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from leadline.domain.times import parse_bound

    try:
        return parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def window_options(func: F) -> F:
    """``--from D --to D`` → a ``Window`` passed to the command as ``window``."""

    def build(*args: Any, **kwargs: Any) -> Any:
        from leadline.services.leadtime import Window

        start = kwargs.pop("window_from")
        end = kwargs.pop("window_to")
        kwargs["window"] = Window(start, end)
        return func(*args, **kwargs)

    functools.update_wrapper(build, func)  # keeps the options declared below this one
    decorated = click.option(
        "--to", "window_to", metavar="D", callback=_bound, help="End (exclusive): date or time."
    )(build)
    decorated = click.option(
        "--from", "window_from", metavar="D", callback=_bound, help="Start: date or RFC 3339 time."
    )(decorated)
    return decorated  # type: ignore[return-value]
