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
    """``--from D --to D`` → a ``Window`` passed to the command as ``window`` (its missing
    bounds are closed by ``metrics.windows.default_window``)."""

    def build(*args: Any, **kwargs: Any) -> Any:
        from leadline.services.leadtime import Window

        start = kwargs.pop("window_from")
        end = kwargs.pop("window_to")
        kwargs["window"] = Window(start, end)
        return func(*args, **kwargs)

    functools.update_wrapper(build, func)  # keeps the options declared below this one
    decorated = click.option(
        "--to",
        "window_to",
        metavar="D",
        callback=_bound,
        help="End (exclusive): date or time. Default: the end of today (UTC).",
    )(build)
    decorated = click.option(
        "--from",
        "window_from",
        metavar="D",
        callback=_bound,
        help="Start: date or RFC 3339 time. Default: 90 days before --to.",
    )(decorated)
    return decorated  # type: ignore[return-value]


def profile_options(func: F) -> F:
    """``--profile NAME_OR_PATH`` or ``--collection NAME`` → the command gets ``profile`` (a
    ``Profile``) and ``collection`` (the collection's name, or ``None``)."""
    return _profile_options(func, twice=False)


def profile_pair_options(func: F) -> F:
    """``profile_options`` where ``--profile`` may be given twice (``lead-time --profile A
    --profile B``, the what-if): the command also gets ``other`` (B's ``Profile``, or
    ``None`` with one ``--profile``). More than two, or two with ``--collection``: a usage
    error."""
    return _profile_options(func, twice=True)


def _profile_options(func: F, *, twice: bool) -> F:
    def build(*args: Any, **kwargs: Any) -> Any:
        given = kwargs.pop("profile_path")
        name = kwargs.pop("collection_name")
        app = click.get_current_context().obj
        paths = list(given) if twice else ([] if given is None else [given])
        if len(paths) > 2:
            raise click.UsageError("--profile: give one profile, or two to compare them")
        if bool(paths) == (name is not None):
            raise click.UsageError("give either --profile NAME_OR_PATH or --collection NAME")
        if twice:
            kwargs["other"] = named_or_file(app, paths[1]) if len(paths) == 2 else None
        if paths:
            kwargs["profile"], kwargs["collection"] = named_or_file(app, paths[0]), None
        else:
            from leadline.services.collections import report_profile

            found, profile = report_profile(app.engine, name)
            kwargs["profile"], kwargs["collection"] = profile, found.name
        return func(*args, **kwargs)

    functools.update_wrapper(build, func)
    decorated = click.option(
        "--collection", "collection_name", metavar="NAME",
        help="Report for a collection (team): its profile, narrowed by its filters.",
    )(build)  # fmt: skip
    decorated = click.option(
        "--profile", "profile_path", metavar="NAME_OR_PATH", multiple=twice,
        help="Workflow profile: a file (YAML or JSON), or else the name of a stored profile "
        "(leadline profile list)." + (" Twice: compare the two (what-if)." if twice else ""),
    )(decorated)  # fmt: skip
    return decorated  # type: ignore[return-value]


def named_or_file(app: Any, value: str) -> Any:
    """The profile ``--profile VALUE`` means: an existing path is read as a file (a file wins
    over a stored profile of the same name); otherwise the stored profile of that name;
    neither → exit 2 naming both readings and the stored names."""
    import os

    from leadline.errors import InputError

    if value and os.path.exists(value):
        from leadline.profiles.loader import load_profile

        return load_profile(value)
    from leadline.services import profiles

    found = profiles.find(app.engine, value)
    if found is not None:
        return found
    unknown = profiles.unknown_message(app.engine, value)
    # The shape of a missing file's message (PATH: (file): no such file), and the other reading.
    raise InputError(f"{value}: (file): no such file, and {unknown}")
