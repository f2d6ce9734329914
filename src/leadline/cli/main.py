"""Entry point: the ``leadline`` group, global options, and error handling.

Heavy modules (SQLAlchemy, pydantic models, numpy) are imported inside the commands so that
``leadline --help`` starts fast.
"""

from __future__ import annotations

import sys

import click

from leadline import __version__
from leadline.cli.context import AppContext


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="LEADLINE_DATABASE_URL",
    help="Database URL (default: sqlite:///leadline.db in the working directory; "
    "postgresql+psycopg://user@host/db for PostgreSQL). Env: LEADLINE_DATABASE_URL.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.version_option(__version__, prog_name="leadline")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool) -> None:
    """leadline: lead time by stage and the four DORA metrics, self-hosted."""
    ctx.obj = AppContext(db_url=db_url, debug=debug)


def _register() -> None:
    from leadline.cli import (
        apikey_cmd,
        collection_cmd,
        contributors_cmd,
        demo_cmd,
        doctor_cmd,
        dora_cmd,
        flow_cmd,
        git_cmd,
        grafana_cmd,
        import_cmd,
        leadtime_cmd,
        overview_cmd,
        profile_cmd,
        refresh_cmd,
        replay_cmd,
        serve_cmd,
        views_cmd,
    )

    cli.add_command(import_cmd.import_command)
    cli.add_command(profile_cmd.profile_group)
    cli.add_command(leadtime_cmd.lead_time_command)
    cli.add_command(dora_cmd.dora_command)
    cli.add_command(flow_cmd.time_in_status_command)
    cli.add_command(flow_cmd.pr_lead_time_command)
    cli.add_command(overview_cmd.overview_command)
    cli.add_command(doctor_cmd.doctor_command)
    cli.add_command(git_cmd.git_command)
    cli.add_command(demo_cmd.demo_command)
    cli.add_command(collection_cmd.apply_command)
    cli.add_command(collection_cmd.collection_group)
    cli.add_command(contributors_cmd.contributors_group)
    cli.add_command(apikey_cmd.apikey_group)
    cli.add_command(serve_cmd.serve_command)
    cli.add_command(refresh_cmd.refresh_command)
    cli.add_command(replay_cmd.replay_command)
    cli.add_command(views_cmd.views_group)
    cli.add_command(grafana_cmd.grafana_command)
    from leadline.cli.sync import (
        azure_devops,
        bitbucket,
        circleci,
        github,
        gitlab,
        jenkins,
        jira,
        opsgenie,
        servicenow,
    )
    from leadline.cli.sync.common import sync_group

    cli.add_command(sync_group)
    sync_group.add_command(github.github_command)
    sync_group.add_command(gitlab.gitlab_command)
    sync_group.add_command(jira.jira_command)
    sync_group.add_command(servicenow.servicenow_command)
    sync_group.add_command(opsgenie.opsgenie_command)
    sync_group.add_command(circleci.circleci_command)
    sync_group.add_command(azure_devops.azure_devops_command)
    sync_group.add_command(bitbucket.bitbucket_command)
    sync_group.add_command(jenkins.jenkins_command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn ``LeadlineError`` into one clear message and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="leadline", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("leadline: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        sys.exit(_report(exc, debug))
    sys.exit(0)


def _report(exc: BaseException, debug: bool) -> int:
    from leadline.errors import LeadlineError

    if isinstance(exc, LeadlineError):
        # A one-problem error's message is its one detail line: print it once, as the error.
        for line in exc.details:
            if line != exc.message:
                click.echo(line, err=True)
        click.echo(f"leadline: error: {exc.message}", err=True)
        if debug:
            _traceback(exc)
        return exc.exit_code
    if debug:
        _traceback(exc)
        return 1
    first_line = (str(exc).strip().splitlines() or [""])[0]
    module = type(exc).__module__
    if module.startswith("sqlalchemy"):
        orig = getattr(exc, "orig", None)
        reason = (str(orig).strip().splitlines() or [""])[0] if orig is not None else first_line
        click.echo(f"leadline: error: database: {reason}", err=True)
        return 1
    click.echo(
        f"leadline: internal error: {type(exc).__name__}: {first_line} "
        "(run with --debug for a traceback)",
        err=True,
    )
    return 1


def _traceback(exc: BaseException) -> None:
    import traceback

    traceback.print_exception(exc, file=sys.stderr)
