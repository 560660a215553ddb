"""What the newsroom's background jobs are doing (composing a draft again after triage or a merge, re-drafting,
importing the archive): a banner on the pages that set them off, polled while one runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Verbs:
    """How the pages speak of a kind of job: while it waits, while it runs, once done, and how to retry."""

    doing: str
    running: str
    did: str
    retry: str


VERBS = {
    background.COMPOSE: Verbs("Composing", "Composing the draft", "Composed", "Compose again to retry."),
    background.REDRAFT_STORY: Verbs("Re-drafting", "Re-drafting a story", "Re-drafted", "Re-draft again to retry."),
    background.REDRAFT_DRAFT: Verbs(
        "Re-drafting", "Re-drafting the machine entries", "Re-drafted", "Re-draft again to retry."
    ),
    background.IMPORT: Verbs("Importing", "Importing", "Imported", "Fix the file and upload it again."),
}


def verbs_of(kind: str) -> Verbs:
    return VERBS.get(kind) or Verbs(kind, kind, kind, "")


def job_line(job: BackgroundJob, titles: dict[int, str], now: dt.datetime) -> dict[str, Any]:
    """What the banner says of one job."""
    verbs = verbs_of(job.kind)
    draft = titles.get(job.brief_id) if job.brief_id is not None else None
    url: str | None
    if job.kind == background.IMPORT:
        subject, url = job.file_name or "a file", "/archive"
    elif job.story_id is not None:
        subject, url = f"story {job.story_id}", f"/stories/{job.story_id}"
    else:
        subject = draft or (f"draft {job.brief_id}" if job.brief_id is not None else "")
        url = f"/drafts/{job.brief_id}" if job.brief_id is not None else None
    return {
        "job": job,
        "doing": verbs.doing,
        "did": verbs.did,
        "subject": subject,
        "url": url,
        "seconds": job.seconds(now),
        "no_worker": job.state == "queued"
        and job.runner == background.QUEUE
        and (now - job.created_at).total_seconds() > NO_WORKER_AFTER,
    }


def jobs_context(store: Store, *, oob: bool = False, reload: bool = False) -> dict[str, Any]:
    """The banner's context: the jobs under way and those that ended moments ago; with `reload`, the page reloads
    itself once they have ended (the archive page, whose listing an import changes; never a page with a box an
    editor may be typing in)."""
    jobs = background.recent_jobs(store, RECENTLY)
    titles = store.drafts.titles([j.brief_id for j in jobs if j.brief_id is not None])
    now = dt.datetime.now(dt.UTC)
    lines = [job_line(job, titles, now) for job in jobs]
    polling = any(not j.finished for j in jobs)
    return {"job_lines": lines, "jobs_polling": polling, "jobs_oob": oob, "jobs_reload": reload}


def with_jobs_banner(request: Request, store: Store, response: Response) -> Response:
    """An htmx answer with the jobs banner swapped in beside it (out of band): the job it set off shows at once."""
    banner = templating.render(request, "_jobs_banner.html", jobs_context(store, oob=True))
    return HTMLResponse(bytes(response.body) + b"\n" + bytes(banner.body), status_code=response.status_code)


@router.get("/jobs/recent")
def recent_jobs(request: Request, store: StoreDep, user: UserDep, reload: bool = False) -> Response:
    """The jobs banner, polled by the page while a job runs (it stops polling once none does; with `reload`,
    htmx reloads the page then)."""
    context = jobs_context(store, reload=reload)
    response = templating.render(request, "_jobs_banner.html", context)
    if reload and not context["jobs_polling"] and templating.is_htmx(request):
        response.headers["HX-Refresh"] = "true"
    return response
