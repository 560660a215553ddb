"""Long work the web app asks for (composing a draft, also when triage or a merge of stories changes what it
tells; re-drafting a story or a draft's machine entries; importing a published brief's file into the archive),
run outside the request so no page waits on it.

The request records a job (store `background_jobs`) and hands it to a runner: on the team server a task for
`mobrief worker` (tasks.QueueRunner), on a laptop a thread of the web process (`InProcessRunner`). Whoever runs
it records each stage and count in that row, which every web process reads to show its progress.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol

from mobrief.errors import ConfigError, MobriefError
from mobrief.newsroom import archive, compose, house_style, redraft
from mobrief.store import Store
from mobrief.store.jobs import DONE, FAILED, QUEUED, BackgroundJob
from mobrief.style import dates

COMPOSE = "compose"
REDRAFT_STORY = "redraft-story"  # one story drafted again, then its draft (when given) composed again
REDRAFT_DRAFT = "redraft-draft"  # every machine-drafted entry of a draft drafted again, then the draft composed
IMPORT = "import"  # a file an editor uploaded, read into the archive
MAX_UPLOAD = 5_000_000  # bytes: a saved brief page is tens of kilobytes, a year of them in one file a few MB
DRAFT_KINDS = (COMPOSE, REDRAFT_STORY, REDRAFT_DRAFT)  # the jobs that compose a draft: the draft's page shows them
KEPT = dt.timedelta(days=14)  # finished jobs are kept this long unless MOBRIEF_JOBS_KEPT_DAYS says otherwise
Tell = Callable[[str, int | None, int | None], None]
IN_PROCESS = "in-process"
QUEUE = "queue"
logger = logging.getLogger(__name__)


class JobRunner(Protocol):
    """Where a job runs: `submit` hands it over (returning the queue's job id, if any) and never waits for it;
    two jobs of one draft never run at once."""

    name: str  # "queue" or "in-process", as recorded in the job's row
    kept: dt.timedelta  # how long finished jobs are kept: recording a job prunes the older ones

    def submit(self, job: BackgroundJob) -> int | None: ...

    def close(self) -> None: ...


def this_process() -> str:
    """The owner name of jobs run here: `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(store: Store, job_id: int) -> BackgroundJob | None:
    """Run a recorded job to its end, recording its stages; a failure is recorded with its reason, not raised.
    Returns the job as it ended (marking it so is the last the store hears), or None when the job is gone (its
    draft was deleted meanwhile)."""
    try:
        job = store.jobs.start(job_id, owner=this_process())
    except MobriefError:
        return None

    def tell(stage: str, done: int | None, total: int | None) -> None:
        store.jobs.progress(job_id, stage, done, total)

    try:
        work = WORK.get(job.kind)
        if work is None:
            raise ConfigError(f"background job {job_id} is of an unknown kind {job.kind!r}")
        result = work(store, job, tell)
    except Exception as exc:  # the page shows the reason; the log keeps the traceback
        logger.exception("background job %s (%s of brief %s) failed", job_id, job.kind, job.brief_id)
        reason = (str(exc) if isinstance(exc, MobriefError) else f"{type(exc).__name__}: {exc}") or type(exc).__name__
        try:
            store.jobs.fail(job_id, reason)
        except MobriefError:
            return None
        return replace(job, state=FAILED, error=reason)
    try:
        store.jobs.finish(job_id, result)
    except MobriefError:
        return None
    return replace(job, state=DONE, result=result)


def _compose(store: Store, job: BackgroundJob, tell: Tell) -> str | None:
    if job.brief_id is None:
        raise ConfigError(f"background job {job.id} composes no draft")
    compose.compose_draft(store, job.brief_id, progress=tell)
    return None


def _redraft(store: Store, job: BackgroundJob, tell: Tell) -> str:
    """Draft the story (or the draft's machine entries) again, then compose the draft so its entries take them."""
    if job.kind == REDRAFT_STORY:
        if job.story_id is None:
            raise ConfigError("the story is gone (merged into another meanwhile?): re-draft that one")
        stories = [job.story_id]
    else:
        if job.brief_id is None:
            raise ConfigError(f"background job {job.id} re-drafts no draft")
        stories = redraft.machine_story_ids(store.drafts.get(job.brief_id))
    tell("drafting stories again", 0, len(stories))
    done = redraft.redraft_stories(store, stories, progress=lambda n, total: tell("drafting stories again", n, total))
    if job.brief_id is not None:
        compose.compose_draft(store, job.brief_id, progress=tell)
    return done.summary()


def _import(store: Store, job: BackgroundJob, tell: Tell) -> str:
    """Read the uploaded file into the archive; a bad file fails the job with its name and the line at fault."""
    data = store.jobs.payload(job.id)
    if not data:
        raise ConfigError("the uploaded file is no longer kept: upload it again")
    summary = archive.import_upload(store, job.file_name or "the upload", data, progress=tell)
    return summary.line()


WORK: dict[str, Callable[[Store, BackgroundJob, Tell], str | None]] = {
    COMPOSE: _compose,
    REDRAFT_STORY: _redraft,
    REDRAFT_DRAFT: _redraft,
    IMPORT: _import,
}


class InProcessRunner:
    """Runs jobs one at a time in a thread of this process: the laptop's way (SQLite, no other service)."""

    name = IN_PROCESS

    def __init__(self, store: Store, *, kept: dt.timedelta = KEPT) -> None:
        self.store = store
        self.kept = kept
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mobrief-job")

    def submit(self, job: BackgroundJob) -> int | None:
        self.pool.submit(run_job, self.store, job.id)
        return None

    def close(self) -> None:
        """Finish the job under way; jobs not yet started are dropped (their page then says the server stopped)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def settle_lost(store: Store, job: BackgroundJob) -> BackgroundJob:
    """The job as it stands, marked failed if a web process of this machine was running it and has stopped
    (restarted, killed): nothing else would ever finish it. Queued jobs of a stopped worker are run again by
    the queue itself (stalled-job recovery)."""
    if job.finished or job.runner != IN_PROCESS or not job.owner:
        return job
    host, _, pid = job.owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
        return job
    store.jobs.fail(job.id, "the web server stopped before it finished (restarted?): compose again")
    return store.jobs.get(job.id)


def latest_compose(store: Store, brief_id: int, *kinds: str) -> BackgroundJob | None:
    """The newest compose (or other job of `kinds`) of a draft, with a job that a stopped web process left
    unfinished marked failed."""
    job = store.jobs.latest_for(brief_id, *(kinds or (COMPOSE,)))
    return None if job is None else settle_lost(store, job)


def _submit(
    store: Store,
    brief_id: int | None,
    runner: JobRunner,
    requested_by: int | None,
    *,
    kind: str = COMPOSE,
    story_id: int | None = None,
    file_name: str | None = None,
    payload: bytes | None = None,
) -> BackgroundJob:
    current = latest_compose(store, brief_id, kind) if brief_id is not None else None
    if current is not None and current.state == QUEUED and current.story_id == story_id:
        return current  # not started yet: it will see what this one would
    # none under way, or one that may have read the draft already: a new one runs after it
    owner = this_process() if runner.name == IN_PROCESS else None
    job = store.jobs.create(
        kind,
        brief_id=brief_id,
        story_id=story_id,
        file_name=file_name,
        payload=payload,
        runner=runner.name,
        requested_by=requested_by,
        owner=owner,
    )
    try:
        queue_job_id = runner.submit(job)
    except Exception as exc:
        store.jobs.fail(job.id, f"it could not be queued: {exc}")
        raise
    if queue_job_id is not None:
        store.jobs.set_queue_job(job.id, queue_job_id)
    prune_finished(store, runner.kept)
    return store.jobs.get(job.id)


def prune_finished(store: Store, kept: dt.timedelta) -> int:
    """Forget the jobs that ended more than `kept` ago (their rows, and what the pages said of them); run when
    a job is recorded and, on the team server, by the minute tick. How many went."""
    gone = store.jobs.prune(dt.datetime.now(dt.UTC) - kept)
    if gone:
        logger.info("pruned %s background jobs that ended more than %s ago", gone, kept)
    return gone


def compose_again(store: Store, brief_id: int, runner: JobRunner, *, requested_by: int | None) -> BackgroundJob:
    """Queue composing a draft again (new stories join; editors' entries, order and removals stay)."""
    _open_draft(store, brief_id)
    return _submit(store, brief_id, runner, requested_by)


def compose_period(
    store: Store, start: dt.date, end: dt.date, runner: JobRunner, *, requested_by: int | None
) -> BackgroundJob:
    """Queue composing the draft of [start, end]: the period's own draft, created empty now if there is none,
    so the page that shows its progress has an address at once."""
    if end < start:
        raise ConfigError(f"the period ends ({end}) before it starts ({start})")
    house_style.newsroom_rates(store).rate_on(end)  # a period outside the rate table fails here, not in the job
    draft_id = store.periods.draft_for_period(start, end)
    if draft_id is None:
        draft_id = store.drafts.create(dates.format_title(start, end), start, end)
    return _submit(store, draft_id, runner, requested_by)


def redraft_story(
    store: Store, story_id: int, runner: JobRunner, *, requested_by: int | None, brief_id: int | None = None
) -> BackgroundJob:
    """Queue drafting a story again, then composing the draft `brief_id` (the editor's draft it is in, if any)
    so its entry takes the new draft; refused at once when an editor has written the story."""
    redraft.check_story(store, story_id)
    if brief_id is not None:
        _open_draft(store, brief_id)
    return _submit(store, brief_id, runner, requested_by, kind=REDRAFT_STORY, story_id=story_id)


def import_file(store: Store, name: str, data: bytes, runner: JobRunner, *, requested_by: int | None) -> BackgroundJob:
    """Queue importing an uploaded file of published briefs (HTML, Markdown or text) into the archive; the file
    travels in the job's row, so a worker on another machine reads it."""
    name = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:300]  # the name, not the sender's folders
    if not data.strip():
        raise ConfigError(f"{name} is empty")
    if len(data) > MAX_UPLOAD:
        raise ConfigError(f"{name} is {len(data) / 1e6:.1f} MB: import files of at most {MAX_UPLOAD / 1e6:.0f} MB")
    return _submit(store, None, runner, requested_by, kind=IMPORT, file_name=name, payload=data)


def redraft_draft(store: Store, brief_id: int, runner: JobRunner, *, requested_by: int | None) -> BackgroundJob:
    """Queue drafting again every machine-drafted entry of a draft that no editor has changed, then composing it."""
    _open_draft(store, brief_id)
    return _submit(store, brief_id, runner, requested_by, kind=REDRAFT_DRAFT)


def _open_draft(store: Store, brief_id: int) -> None:
    draft = store.drafts.get(brief_id)
    if draft.status != "draft" or draft.period_start is None or draft.period_end is None:
        raise ConfigError(f"brief {brief_id} is not a draft with a period")
    house_style.newsroom_rates(store).rate_on(draft.period_end)  # refused now rather than failing in the job


def compose_drafts(
    store: Store, brief_ids: Sequence[int], runner: JobRunner, *, requested_by: int | None
) -> list[BackgroundJob]:
    """Queue composing each of these open drafts again (after a merge, split or move of stories they tell); a
    compose already waiting for a draft stands for this one."""
    return [_submit(store, brief_id, runner, requested_by) for brief_id in brief_ids]


def compose_covering(
    store: Store, story_id: int, runner: JobRunner, *, requested_by: int | None
) -> BackgroundJob | None:
    """Queue composing again the draft whose period covers a story's last report, so a story an editor just
    added to the brief gets its entry; None when no draft covers that day."""
    story = store.stories.get(story_id)
    brief_id = store.drafts.draft_covering(story.last_seen.date())
    return None if brief_id is None else _submit(store, brief_id, runner, requested_by)


def recent_jobs(store: Store, within: dt.timedelta, *, limit: int = 5) -> list[BackgroundJob]:
    """The jobs under way and those that ended within `within`, newest first (a job a stopped web process left
    unfinished marked failed): what the inbox and story pages show."""
    since = dt.datetime.now(dt.UTC) - within
    key = ("recent_jobs", within, limit)
    jobs = store.kept.get(key, lambda: store.jobs.recent(since, limit=limit))
    if any(job.finished and not (job.finished_at and job.finished_at > since) for job in jobs):
        # kept from a while ago (nothing committed since) and one has left the window: another may enter it
        jobs = store.jobs.recent(since, limit=limit)
    return [settle_lost(store, job) for job in jobs]
