"""Commands of the team server: `db upgrade`, `worker`, `jobs`, and the queueing behind `--defer`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from mobrief.cli.context import AppContext, json_option, pass_app, print_json


@click.group("db")
def db_group() -> None:
    """The database itself: its schema and, on PostgreSQL, the task queue's."""


@db_group.command("upgrade")
@json_option
@pass_app
def db_upgrade(app: AppContext, as_json: bool) -> None:
    """Bring the schema to the newest migration; on PostgreSQL also create the task queue's tables, or bring
    them up to the installed Procrastinate (run it after every upgrade, with the workers stopped)."""
    app.store.upgrade()
    queue = None
    if app.store.dialect == "postgresql":
        from mobrief import tasks

        queue = tasks.apply_schema(app.store)
    if as_json:
        print_json(
            {
                "database": app.store.dialect,
                "queue_schema_created": bool(queue and queue.created),
                "queue_scripts_applied": list(queue.applied) if queue else [],
                "queue_version": queue.version if queue else None,
            }
        )
        return
    said = f"{app.store.dialect}: schema up to date"
    if queue is not None:
        if queue.created:
            said += f"; task queue created (Procrastinate {queue.version})"
        elif queue.applied:
            said += f"; task queue upgraded to Procrastinate {queue.version} ({len(queue.applied)} scripts)"
        else:
            said += f"; task queue up to date (Procrastinate {queue.version})"
    app.console.print(said)


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="Only run jobs of this queue (repeatable; default: all).")
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True, help="Jobs run at once.")
@click.option("--until-idle", is_flag=True, help="Exit once no job is waiting or running (tests, cron, backfills).")
@click.option(
    "--stalled-after",
    type=click.FloatRange(min=1),
    default=30.0,
    show_default=True,
    help="Seconds without a heartbeat after which another worker's jobs are taken back and run again.",
)
@json_option
@pass_app
def worker_command(
    app: AppContext, queues: tuple[str, ...], concurrency: int, until_idle: bool, stalled_after: float, as_json: bool
) -> None:
    """Run queued jobs (PostgreSQL only): polling, enrichment, clustering, drafting, composing.

    Start as many as the machines allow; two never run the same job, and the jobs of a killed worker are run
    again by the others once it is found stalled. Tasks are Python and CPU-bound: for more throughput start
    more worker processes rather than raising --concurrency.
    """
    from mobrief import tasks

    unknown = sorted(set(queues) - set(tasks.QUEUES))
    if unknown:
        raise click.BadParameter(
            f"unknown queue {unknown[0]!r}; known: {', '.join(tasks.QUEUES)}", param_hint="--queue"
        )
    import logging

    # one line per job started, finished or failed (with its traceback), on stderr: journald keeps it
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    procrastinate_app = tasks.build_app(app.settings, app.store)
    options = tasks.WorkerOptions(
        queues=queues, concurrency=concurrency, until_idle=until_idle, stalled_after=stalled_after
    )
    done = asyncio.run(tasks.run_worker(procrastinate_app, options))
    if as_json:
        print_json(dict(sorted(done.items())))
    else:
        app.console.print(", ".join(f"{k} {v}" for k, v in sorted(done.items())) or "no work done")


@click.command("jobs")
@json_option
@pass_app
def jobs_command(app: AppContext, as_json: bool) -> None:
    """What the queue holds: jobs by task and status (todo, doing, succeeded, failed …), and how many were
    retried."""
    from mobrief import tasks

    counts = tasks.job_counts(app.store)
    if as_json:
        print_json(counts)
        return
    table = Table(title="Jobs")
    for column in ("task", "status", "jobs", "retried"):
        table.add_column(column, justify="right" if column in ("jobs", "retried") else "left")
    for row in counts:
        table.add_row(row["task"], row["status"], str(row["jobs"]), str(row["retried"]))
    app.out.print(table if counts else "No jobs queued yet.")


def defer_with(app: AppContext, queue_work: Callable[[Any], int]) -> int:
    """Open the queue on the store's database, run `queue_work(tasks module)`, and return how many jobs it
    queued; the error on SQLite says to run the command without --defer."""
    from mobrief import tasks

    procrastinate_app = tasks.build_app(app.settings, app.store)
    with procrastinate_app.open():
        return queue_work(tasks)


COMMANDS: list[click.Command] = [db_group, worker_command, jobs_command]
