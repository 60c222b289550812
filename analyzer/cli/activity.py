"""``trustmap activity-sql``: the ACT rules' detection queries, to run where the logs are (Athena, Trino)."""

from __future__ import annotations

import click

from analyzer.activity.queries import all_queries_text


@click.command("activity-sql")
def activity_sql_command() -> None:
    """Print the detection queries (plain SQL over AWS's documented CloudTrail table `cloudtrail_logs`)."""
    click.echo(all_queries_text(), nl=False)


COMMANDS = [activity_sql_command]
