"""Drafting backends behind one Protocol and a registry (like `sources/`), and the one way every draft is made:
the backend writes, the fact guard checks, and a backend that fails hands the story to `frames` and says why."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Protocol

from mobrief.brief.drafting import guard
from mobrief.brief.drafting.records import DRAFTED, NEEDS_CHECK, DraftContext, Finding, StoryDraft, StoryReports
from mobrief.errors import ConfigError, MobriefError

DEFAULT_BACKEND = "frames"


class DraftingFailed(MobriefError):
    """A backend could not draft a story (timeout, error reply, unusable answer): `frames` takes over."""


class DraftBackend(Protocol):
    """Writes a story's English draft from its reports; `version` changes whenever its drafts would."""

    name: str
    version: str

    def draft(self, story: StoryReports, context: DraftContext) -> StoryDraft: ...


BackendFactory = Callable[[Mapping[str, str]], DraftBackend]
_REGISTRY: dict[str, BackendFactory] = {}


def register(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Register a backend factory (it reads its settings from the environment mapping it is given)."""

    def wrap(factory: BackendFactory) -> BackendFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def get_backend(name: str | None = None, env: Mapping[str, str] | None = None) -> DraftBackend:
    """The backend called `name` (default: MOBRIEF_DRAFT_BACKEND, else `frames`), configured from `env`."""
    _load_builtin()
    env = os.environ if env is None else env
    name = name or env.get("MOBRIEF_DRAFT_BACKEND") or DEFAULT_BACKEND
    factory = _REGISTRY.get(name)
    if factory is None:
        raise ConfigError(f"unknown drafting backend {name!r}: choose one of {', '.join(sorted(_REGISTRY))}")
    return factory(env)


def _load_builtin() -> None:
    if DEFAULT_BACKEND in _REGISTRY:
        return
    from mobrief.brief.drafting import frames, openai_compatible

    register(frames.NAME)(lambda env: frames.FramesBackend())
    register(openai_compatible.NAME)(openai_compatible.OpenAICompatibleBackend.from_env)


def checked(draft: StoryDraft, story: StoryReports, context: DraftContext, notes: Iterable[Finding] = ()) -> StoryDraft:
    """`draft` with the fact guard's findings: `drafted` when it found nothing, else `needs-check`."""
    found = guard.check(draft.text, story, context)
    return replace(draft, status=NEEDS_CHECK if found else DRAFTED, findings=(*notes, *found))


def draft_story(story: StoryReports, context: DraftContext, backend: DraftBackend) -> StoryDraft:
    """One story drafted by `backend`, checked by the guard; on failure or rejection `frames` drafts it instead."""
    from mobrief.brief.drafting import frames

    try:
        first = checked(backend.draft(story, context), story, context)
    except DraftingFailed as exc:
        why = Finding(kind="fallback", text=backend.name, message=f"{backend.name}: {exc}; drafted by frames")
        return checked(frames.FramesBackend().draft(story, context), story, context, [why])
    if first.status == DRAFTED or backend.name == frames.NAME:
        return first
    rejected = "; ".join(f.message for f in first.findings)
    why = Finding(
        kind="fallback",
        text=backend.name,
        message=f"{backend.name}: the fact guard rejected its draft ({rejected}); drafted by frames",
    )
    return checked(frames.FramesBackend().draft(story, context), story, context, [why])


def draft_stories(
    stories: Iterable[StoryReports], context: DraftContext, backend: DraftBackend
) -> Iterator[StoryDraft]:
    """Every story drafted in turn (a generator: callers save in batches and show progress)."""
    for story in stories:
        yield draft_story(story, context, backend)
