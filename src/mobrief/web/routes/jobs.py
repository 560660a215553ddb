"""What the newsroom's background jobs are doing (composing a draft again after triage or a merge, re-drafting,
importing the archive): a banner on the pages that set them off, polled while one runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mobrief.newsroom import background
from mobrief.store import Store
from mobrief.store.jobs import BackgroundJob
from mobrief.web import templating
from mobrief.web.deps import StoreDep, UserDep

router = APIRouter(include_in_schema=False)

RECENTLY = dt.timedelta(minutes=2)  # how long a finished job stays in the banner
NO_WORKER_AFTER = 30.0  # seconds a queued job may wait before the banner says no worker seems to run
# kind → (what it is doing, what it did)
VERBS = {background.COMPOSE: ("Composing", "Composed")}


def job_line(job: BackgroundJob, titles: dict[int, str], now: dt.datetime) -> dict[str, Any]:
    """What the banner says of one job."""
    doing, did = VERBS.get(job.kind, (job.kind, job.kind))
    subject = titles.get(job.brief_id) if job.brief_id is not None else None
    return {
        "job": job,
        "doing": doing,
        "did": did,
        "subject": subject or (f"draft {job.brief_id}" if job.brief_id is not None else ""),
        "url": f"/drafts/{job.brief_id}" if job.brief_id is not None else None,
        "seconds": job.seconds(now),
        "no_worker": job.state == "queued"
        and job.runner == background.QUEUE
        and (now - job.created_at).total_seconds() > NO_WORKER_AFTER,
    }


def jobs_context(store: Store, *, oob: bool = False) -> dict[str, Any]:
    """The banner's context: the jobs under way and those that ended moments ago."""
    jobs = background.recent_jobs(store, RECENTLY)
    titles = store.drafts.titles([j.brief_id for j in jobs if j.brief_id is not None])
    now = dt.datetime.now(dt.UTC)
    lines = [job_line(job, titles, now) for job in jobs]
    return {"job_lines": lines, "jobs_polling": any(not j.finished for j in jobs), "jobs_oob": oob}


def with_jobs_banner(request: Request, store: Store, response: Response) -> Response:
    """An htmx answer with the jobs banner swapped in beside it (out of band): the job it set off shows at once."""
    banner = templating.render(request, "_jobs_banner.html", jobs_context(store, oob=True))
    return HTMLResponse(bytes(response.body) + b"\n" + bytes(banner.body), status_code=response.status_code)


@router.get("/jobs/recent")
def recent_jobs(request: Request, store: StoreDep, user: UserDep) -> Response:
    """The jobs banner, polled by the page while a job runs (it stops polling once none does)."""
    return templating.render(request, "_jobs_banner.html", jobs_context(store))
