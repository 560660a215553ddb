"""The team server's tasks: the newsroom's own use cases, queued in PostgreSQL (Procrastinate), run by workers.

Every task is idempotent (it does what is still pending and nothing else), so a job that a killed worker
left half done is simply run again once its worker is found stalled. Enrichment is cut into batches of
item ids that any number of workers share; clustering runs in one lane (a queueing lock keeps at most one
run waiting, a lock keeps one running) and stays behind enrichment, so it meets items in publication order
whatever order the batches finish in. Procrastinate is imported only here (install `mobrief[postgres]`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import threadpoolctl

from mobrief.errors import ConfigError, MobriefError
from mobrief.newsroom import background, enrichment, ingest
from mobrief.settings import Settings
from mobrief.store import Store, open_store, queue_schema
from mobrief.store.jobs import BackgroundJob

try:
    import procrastinate
    from procrastinate import exceptions as procrastinate_exceptions
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ConfigError("the team server's queue needs Procrastinate: pip install 'mobrief[postgres]'") from exc

QUEUES = ("fetch", "enrich", "cluster", "draft", "compose")
STALLED_AFTER = 30.0  # seconds without a heartbeat after which a worker's jobs are run again elsewhere
CLUSTERING = "clustering"  # lock and queueing lock of the clustering lane
DRAFTING = "drafting"
RUN_BACKGROUND_JOB = "mobrief.run_background_job"

blueprint = procrastinate.Blueprint()
logger = logging.getLogger(__name__)


@dataclass(slots=True)
class WorkerState:
    """What a worker process holds for its tasks: the store, the settings, and a tally of what it did."""

    store: Store
    settings: Settings
    done: Counter[str] = field(default_factory=Counter)


_state: list[WorkerState] = []  # set by `build_app`: tasks run in the worker's threads, one store per process


def _worker() -> WorkerState:
    if not _state:
        raise ConfigError("tasks run inside `mobrief worker` (build_app sets up their store)")
    return _state[0]


# ---- the tasks ----


@blueprint.task(name="mobrief.poll_source", queue="fetch", retry=False)
def poll_source(source: str) -> None:
    """Poll one configured source (feed, channel), store what is new and set its next poll; then queue the
    enrichment of what it brought. A failure is recorded in the source's schedule, not retried here."""
    state = _worker()
    result = ingest.poll_and_schedule(state.store, source, settings=state.settings)
    state.done["polled"] += 1
    if result.report is None:
        state.done["poll_failures"] += 1
        return
    news = result.report.counts.inserted + result.report.counts.updated
    state.done["fetched"] += news
    if news:
        defer_enrichment(state.store, state.settings)


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name="mobrief.tick", queue="fetch", pass_context=True, queueing_lock="tick")
async def tick(context: procrastinate.JobContext, timestamp: int) -> None:
    """Every minute: queue a poll of each source that is due, put back the jobs of stalled workers, and forget
    the web app's background jobs that ended longer ago than MOBRIEF_JOBS_KEPT_DAYS."""
    state = _worker()
    now = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    due = await asyncio.to_thread(state.store.sources.due, now)
    for source in due:
        with contextlib.suppress(procrastinate_exceptions.AlreadyEnqueued):
            await poll_source.configure(queueing_lock=f"poll:{source.name}").defer_async(source=source.name)
    await _retry_stalled(context.app, STALLED_AFTER)
    await asyncio.to_thread(background.prune_finished, state.store, dt.timedelta(days=state.settings.jobs_kept_days))


@blueprint.task(name="mobrief.enrich_items", queue="enrich", retry=2)
def enrich_items(first_id: int, last_id: int) -> None:
    """Enrich the items with ids in [first_id, last_id] that still need it, then queue clustering."""
    state = _worker()
    report = enrichment.enrich_pending(state.store, settings=state.settings, id_range=(first_id, last_id))
    state.done["enriched"] += report.enriched
    state.done["set_aside"] += len(report.set_aside)
    defer_clustering()


@blueprint.task(name="mobrief.cluster_pending", queue="cluster", lock=CLUSTERING, queueing_lock=CLUSTERING, retry=2)
def cluster_pending() -> None:
    """Cluster the enriched items enrichment is no longer behind, link threads, then queue drafting. It logs
    when it holds the lane and when it lets go, so a worker's log shows each clustering run."""
    from mobrief.newsroom import clustering  # numpy and datasketch: loaded by the workers that cluster

    state = _worker()
    logger.info("clustering lane: started")
    try:
        report = clustering.cluster_pending(state.store, settings=state.settings, behind_enrichment=True)
    finally:
        logger.info("clustering lane: ended")
    state.done["clustered"] += report.items
    state.done["clustering_runs"] += 1
    if report.items:
        defer_drafting()


@blueprint.task(name="mobrief.draft_recent", queue="draft", lock=DRAFTING, queueing_lock=DRAFTING, retry=2)
def draft_recent() -> None:
    """Draft the recent stories that need a draft."""
    from mobrief.newsroom import processing  # drafting and clustering: loaded by the workers that draft

    state = _worker()
    run = processing.draft_recent(state.store)
    state.done["drafted"] += run.as_dict(with_ids=False).get("drafted", 0)


@blueprint.task(name="mobrief.compose_brief", queue="compose", retry=2)
def compose_brief(start: str, end: str) -> None:
    """Compose the draft brief of a period (ISO dates), drafting the stories it needs."""
    from mobrief.newsroom import compose

    state = _worker()
    compose.compose_brief(state.store, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    state.done["composed"] += 1


@blueprint.task(name=RUN_BACKGROUND_JOB, queue="compose", retry=False)
def run_background_job(job_id: int) -> None:
    """Run a job the web app queued (compose or re-draft a draft, import the archive), recording its stages
    where the page reads them.
    Not retried: the editor sees the reason at once and may ask again (a killed worker's job still runs again)."""
    state = _worker()
    job = background.run_job(state.store, job_id)
    if job is not None and job.state == "failed":
        state.done["background_failed"] += 1
        raise BackgroundJobFailed(f"background job {job_id}: {job.error}")  # so `mobrief jobs` counts it failed
    state.done["background_jobs"] += 1


class BackgroundJobFailed(MobriefError):
    """A job the web app queued failed; its reason is recorded in its row."""


class QueueRunner:
    """The web app's runner on the team server: each job becomes a task that any `mobrief worker` runs."""

    name = background.QUEUE

    def __init__(self, settings: Settings) -> None:
        from procrastinate import PsycopgConnector

        self.kept = dt.timedelta(days=settings.jobs_kept_days)
        # an app without the tasks loaded: deferring by name needs no task object, and the web process's
        # app must not take over the blueprint a worker in this process would run
        self.app = procrastinate.App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url)))

    def submit(self, job: BackgroundJob) -> int:
        """Queue the job; jobs of one draft share a lock, so two workers never compose it at once."""
        lock = f"compose:{job.brief_id}" if job.brief_id is not None else None
        with self.app.open():
            deferrer = self.app.configure_task(RUN_BACKGROUND_JOB, queue="compose", lock=lock)
            return int(deferrer.defer(job_id=job.id))

    def close(self) -> None:
        return None


def queue_ready(store: Store) -> bool:
    """Whether the store's database holds the task queue (PostgreSQL after `mobrief db upgrade`)."""
    if store.dialect != "postgresql":
        return False
    with store.engine.connect() as conn:
        return bool(conn.execute(sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar())


# ---- queueing work ----


def _defer_once(task: Any, lock: str) -> bool:
    """Queue a lane's task unless one is already waiting (then that one will see this work too)."""
    try:
        task.configure(queueing_lock=lock).defer()
    except procrastinate_exceptions.AlreadyEnqueued:
        return False
    return True


def defer_clustering() -> bool:
    return _defer_once(cluster_pending, CLUSTERING)


def defer_drafting() -> bool:
    return _defer_once(draft_recent, DRAFTING)


def id_batches(ids: Sequence[int], size: int) -> list[tuple[int, int]]:
    """Consecutive runs of `size` ids as (first, last) ranges: the arguments of `enrich_items` jobs."""
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


def defer_enrichment(store: Store, settings: Settings, *, batch: int = enrichment.ENRICH_BATCH) -> int:
    """Queue an `enrich_items` job per batch of pending items; how many jobs were queued."""
    options = enrichment.enrich_options(store, settings=settings)
    ranges = id_batches(store.enrichments.pending_ids(options.versions()), batch)
    if ranges:
        jobs: list[dict[str, Any]] = [{"first_id": first, "last_id": last} for first, last in ranges]
        enrich_items.batch_defer(*jobs)
    return len(ranges)


def defer_polls(store: Store, names: Iterable[str] | None = None) -> int:
    """Queue a `poll_source` job for each named (or every enabled) source not already waiting; how many.
    (On the team server the minute `tick` queues the sources that are due by itself.)"""
    wanted = list(names) if names is not None else [s.name for s in store.sources.list(enabled_only=True)]
    return sum(_defer_once_with(poll_source, f"poll:{name}", source=name) for name in wanted)


def _defer_once_with(task: Any, lock: str, **kwargs: Any) -> bool:
    try:
        task.configure(queueing_lock=lock).defer(**kwargs)
    except procrastinate_exceptions.AlreadyEnqueued:
        return False
    return True


# ---- the app and the worker ----


def conninfo(database_url: str) -> str:
    """A libpq connection string from mobrief's SQLAlchemy URL (`postgresql+psycopg://…`)."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            "the task queue lives in PostgreSQL: set MOBRIEF_DATABASE_URL=postgresql+psycopg://… "
            "(on SQLite, run `mobrief enrich`, `fetch` and `draft` without --defer)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings, store: Store | None = None) -> procrastinate.App:
    """The Procrastinate app on the store's database, with mobrief's tasks; `store` is what tasks run on."""
    from procrastinate import PsycopgConnector

    app = procrastinate.App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url)))
    app.add_tasks_from(blueprint, namespace="")
    _state[:] = [WorkerState(store=store or open_store(settings.database_url), settings=settings)]
    return app


def apply_schema(store: Store) -> queue_schema.QueueUpgrade:
    """Create Procrastinate's tables in the store's PostgreSQL database, or bring them up to the installed
    Procrastinate (store/queue_schema.py)."""
    return queue_schema.upgrade_queue(store.engine)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerOptions:
    """How a `mobrief worker` runs: which queues, how many jobs at once, whether it stops when idle, and
    after how many seconds without a heartbeat another worker's jobs count as stalled."""

    queues: tuple[str, ...] = ()
    concurrency: int = 1
    until_idle: bool = False
    stalled_after: float = 30.0
    name: str = ""


async def _retry_stalled(app: procrastinate.App, stalled_after: float) -> int:
    """Give the jobs of workers that stopped sending heartbeats (killed, machine gone) back to the queue."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
    for job in stalled:
        await app.job_manager.retry_job(job)
    if stalled:
        await app.job_manager.prune_stalled_workers(seconds_since_heartbeat=stalled_after)
    return len(stalled)


async def _unfinished(app: procrastinate.App, queues: Sequence[str]) -> int:
    """Jobs waiting or running in these queues (all queues when none are named)."""
    rows = await app.connector.execute_query_all_async(
        query="SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
        "AND (cardinality(%(queues)s::varchar[]) = 0 OR queue_name = ANY(%(queues)s::varchar[]))",
        queues=list(queues),
    )
    return int(rows[0]["n"])


async def run_worker(app: procrastinate.App, options: WorkerOptions) -> Counter[str]:
    """Run jobs until stopped (Ctrl-C, SIGTERM) or, with `until_idle`, until no job is waiting or running:
    jobs a stalled worker held are put back and run too. Returns what this worker did."""
    heartbeat = max(0.5, min(10.0, options.stalled_after / 3))
    worker_kwargs: dict[str, Any] = {
        "queues": list(options.queues) or None,
        "concurrency": options.concurrency,
        "name": options.name or f"mobrief-{os.getpid()}",
        "update_heartbeat_interval": heartbeat,
        "stalled_worker_timeout": options.stalled_after,
        "fetch_job_polling_interval": min(5.0, heartbeat),
    }
    # one BLAS thread per worker: parallelism comes from worker processes, and OpenBLAS threads spinning on
    # cores another worker needs cost more than they give
    blas = threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    async with app.open_async():
        await _retry_stalled(app, options.stalled_after)
        if not options.until_idle:
            await app.run_worker_async(wait=True, **worker_kwargs)
            blas.restore_original_limits()
            return _worker().done
        while True:
            await app.run_worker_async(wait=False, **worker_kwargs)
            if not await _unfinished(app, options.queues):
                blas.restore_original_limits()
                return _worker().done
            # other workers are still running jobs, or died holding them: look again soon, take back the stalled
            await asyncio.sleep(1.0)
            await _retry_stalled(app, options.stalled_after)


def job_counts(store: Store) -> list[dict[str, Any]]:
    """Jobs by task and status (todo, doing, succeeded, failed, cancelled, aborted), with how many were
    retried (attempts > 1): what `mobrief jobs` shows."""
    query = sa.text(
        "SELECT task_name, status::text AS status, count(*) AS jobs, "
        "sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END) AS retried "
        "FROM procrastinate_jobs GROUP BY task_name, status ORDER BY task_name, status"
    )
    with store.engine.connect() as conn:
        return [
            {"task": row.task_name, "status": row.status, "jobs": int(row.jobs), "retried": int(row.retried or 0)}
            for row in conn.execute(query)
        ]
