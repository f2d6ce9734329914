"""placeholder"""
import click
@click.command("grafana")
def grafana_command() -> None:
    """x"""
