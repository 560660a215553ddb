"""Background jobs the web app asked for (composing or re-drafting a draft, importing the archive): their state,
stage and counts, one row each.

Whoever runs a job (a `mobrief worker`, or a thread of the web process on a laptop) writes here and every web
process reads here, on SQLite and PostgreSQL alike: Procrastinate's own job table exists only on the team
server and has no place for a stage or a count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.errors import NotFound
from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import background_jobs

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackgroundJob:
    """One job: what it makes (`kind`, `brief_id`, `story_id`, `file_name`), where it stands, and who runs it."""

    id: int
    kind: str
    brief_id: int | None
    state: str  # queued / running / done / failed
    stage: str  # what it does now ("drafting stories"), "" before it starts
    done: int | None  # of `total` in this stage, when the stage counts
    total: int | None
    error: str | None
    runner: str  # "queue" (a `mobrief worker`) or "in-process" (a thread of the web process)
    owner: str | None  # "host:pid" of the process running it
    queue_job_id: int | None
    requested_by: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    updated_at: dt.datetime
    story_id: int | None = None  # the story it re-drafts
    file_name: str | None = None  # the file it imports
    result: str | None = None  # what it did, once done

    @property
    def finished(self) -> bool:
        return self.state not in UNFINISHED

    def seconds(self, now: dt.datetime) -> float:
        """How long it has taken: from the request to its end, or to `now` while it is unfinished."""
        return ((self.finished_at or now) - self.created_at).total_seconds()


def _job(row: Any) -> BackgroundJob:
    def when(value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else utc(value)

    return BackgroundJob(
        id=row.id,
        kind=row.kind,
        brief_id=row.brief_id,
        state=row.state,
        stage=row.stage,
        done=row.done,
        total=row.total,
        error=row.error,
        runner=row.runner,
        owner=row.owner,
        queue_job_id=row.queue_job_id,
        requested_by=row.requested_by,
        created_at=utc(row.created_at),
        started_at=when(row.started_at),
        finished_at=when(row.finished_at),
        updated_at=utc(row.updated_at),
        story_id=row.story_id,
        file_name=row.file_name,
        result=row.result,
    )


# every column but the uploaded bytes, which only the job itself reads
_COLUMNS = [c for c in background_jobs.c if c.name != "payload"]


class BackgroundJobRepository:
    """Rows of `background_jobs`: created by the web app, advanced by whoever runs the job."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        kind: str,
        *,
        brief_id: int | None,
        runner: str,
        requested_by: int | None,
        owner: str | None = None,
        story_id: int | None = None,
        file_name: str | None = None,
        payload: bytes | None = None,
    ) -> BackgroundJob:
        """A new queued job; `owner` when the process asking is also the one that will run it."""
        now = dt.datetime.now(dt.UTC)
        values = {
            "kind": kind,
            "brief_id": brief_id,
            "story_id": story_id,
            "file_name": file_name,
            "payload": payload,
            "state": QUEUED,
            "stage": "",
            "runner": runner,
            "owner": owner,
            "requested_by": requested_by,
            "created_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            key = conn.execute(background_jobs.insert().values(**values)).inserted_primary_key
            assert key is not None
            job_id = int(key[0])
        return self.get(job_id)

    def get(self, job_id: int) -> BackgroundJob:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(*_COLUMNS).where(background_jobs.c.id == job_id)).first()
        if row is None:
            raise NotFound(f"no background job {job_id} (its draft may have been deleted)")
        return _job(row)

    def payload(self, job_id: int) -> bytes:
        """The bytes the job works on (an uploaded file); empty once the job has ended."""
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(background_jobs.c.payload).where(background_jobs.c.id == job_id)).scalar()
        return bytes(value or b"")

    def latest_for(self, brief_id: int, *kinds: str) -> BackgroundJob | None:
        """The newest job of one of `kinds` for a draft, finished or not."""
        query = (
            sa.select(*_COLUMNS)
            .where(background_jobs.c.brief_id == brief_id, background_jobs.c.kind.in_(kinds))
            .order_by(background_jobs.c.id.desc())
            .limit(1)
        )
        with reading(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else _job(row)

    def recent(self, since: dt.datetime, *, limit: int = 10) -> list[BackgroundJob]:
        """The jobs still queued or running, and those finished after `since`, newest first."""
        query = (
            sa.select(*_COLUMNS)
            .where(sa.or_(background_jobs.c.state.in_(UNFINISHED), background_jobs.c.finished_at > since))
            .order_by(background_jobs.c.id.desc())
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return [_job(row) for row in conn.execute(query)]

    def unfinished(self, kind: str) -> dict[int, BackgroundJob]:
        """The jobs of `kind` still queued or running, by draft."""
        query = sa.select(*_COLUMNS).where(background_jobs.c.kind == kind, background_jobs.c.state.in_(UNFINISHED))
        with reading(self.engine) as conn:
            return {row.brief_id: _job(row) for row in conn.execute(query.order_by(background_jobs.c.id))}

    def prune(self, finished_before: dt.datetime) -> int:
        """Delete the jobs that ended (done or failed) before `finished_before`; how many went. Unfinished
        jobs stay whatever their age: someone may still be running them."""
        query = background_jobs.delete().where(
            background_jobs.c.state.in_((DONE, FAILED)), background_jobs.c.finished_at < finished_before
        )
        with self.engine.begin() as conn:
            return int(conn.execute(query).rowcount or 0)

    def _update(self, job_id: int, **values: Any) -> None:
        values["updated_at"] = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            updated = conn.execute(
                background_jobs.update().where(background_jobs.c.id == job_id).values(**values)
            ).rowcount
        if not updated:
            raise NotFound(f"no background job {job_id} (its draft may have been deleted)")

    def set_queue_job(self, job_id: int, queue_job_id: int) -> None:
        self._update(job_id, queue_job_id=queue_job_id)

    def start(self, job_id: int, *, owner: str) -> BackgroundJob:
        """Mark the job running in `owner` (again, when a stalled worker's job is run a second time)."""
        now = dt.datetime.now(dt.UTC)
        self._update(job_id, state=RUNNING, owner=owner, started_at=now, stage="", done=None, total=None, error=None)
        return self.get(job_id)

    def progress(self, job_id: int, stage: str, done: int | None = None, total: int | None = None) -> None:
        self._update(job_id, stage=stage[:60], done=done, total=total)

    def finish(self, job_id: int, result: str | None = None) -> None:
        """Mark the job done, with what it did; the bytes it worked on go."""
        now = dt.datetime.now(dt.UTC)
        self._update(job_id, state=DONE, stage="", done=None, total=None, finished_at=now, result=result, payload=None)

    def fail(self, job_id: int, error: str) -> None:
        """Mark the job failed with the reason the page shows (the stage it reached is kept); the bytes it worked
        on go (an editor uploads a file again once it is fixed)."""
        self._update(job_id, state=FAILED, error=error, finished_at=dt.datetime.now(dt.UTC), payload=None)
