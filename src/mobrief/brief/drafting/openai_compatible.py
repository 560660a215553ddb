"""The opt-in `openai-compatible` backend: one chat-completions request per story to any server that speaks the
protocol (Ollama, llama.cpp's server, vLLM, hosted providers), with the house rules, the facts and the reports' text.

Any failure raises `DraftingFailed` with the reason, so `backends.draft_story` hands the story to `frames`; the reply's
sentences are tied back to the report sentences that share the most numbers and names with them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import razdel

from mobrief.brief.drafting import frames, guard
from mobrief.brief.drafting.backends import DraftingFailed
from mobrief.brief.drafting.records import DraftContext, DraftSentence, Report, StoryDraft, StoryReports
from mobrief.errors import ConfigError
from mobrief.style import transliteration

NAME = "openai-compatible"
PROMPT_VERSION = 1  # bump whenever the prompt changes what a model would write
DEFAULT_TIMEOUT = 60.0
MAX_REPORTS = 4
REPORT_CHARS = 3000
_CAPITALISED = re.compile(r"\b[А-ЯЁ][А-Яа-яЁё]+(?:-[А-ЯЁ][А-Яа-яЁё]+)*")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_THINKING = re.compile(r"<think>.*?</think>", re.S)  # reasoning models (qwen3, deepseek-r1) served by Ollama

SYSTEM_PROMPT = """\
You write one entry of an English-language news brief about Russia's war-time mobilisation, from Russian reports.
House rules:
- Write 1 to 3 plain sentences, in English only: no Cyrillic, no headline, no bullet points, no commentary.
- Attribute the news in the house voice: "According to <outlet>, …" or "The <outlet> media outlet has reported \
that …", using the outlet's name exactly as given.
- Spell people, places and organisations exactly as the facts list gives them; transliterate any other Russian name.
- State only numbers the reports state; do not round, total or convert them.
- Do not add dollar conversions, glosses or explanations in brackets: mobrief adds those itself.
- Reply with the entry's text and nothing else."""


@dataclass(frozen=True, slots=True)
class _Source:
    """A sentence of a report, with the numbers and Latin names it states (what an English sentence can share)."""

    report: Report
    start: int
    end: int
    numbers: frozenset[float]
    names: frozenset[str]

    @property
    def text(self) -> str:
        return self.report.text[self.start : self.end]


class OpenAICompatibleBackend:
    """Drafts through any chat-completions server: MOBRIEF_LLM_BASE_URL (with its /v1), MOBRIEF_LLM_MODEL and,
    when the server wants one, MOBRIEF_LLM_API_KEY."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key or None
        self.timeout = timeout
        self.client = client
        self.version = f"{NAME}-{PROMPT_VERSION}:{model}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OpenAICompatibleBackend:
        """The backend the MOBRIEF_LLM_* variables describe; ConfigError names the one missing or unusable."""
        values = {}
        for key in ("MOBRIEF_LLM_BASE_URL", "MOBRIEF_LLM_MODEL"):
            values[key] = (env.get(key) or "").strip()
            if not values[key]:
                raise ConfigError(f"{key} is not set: the {NAME} drafting backend needs it")
        if not values["MOBRIEF_LLM_BASE_URL"].startswith(("http://", "https://")):
            raise ConfigError(
                f"MOBRIEF_LLM_BASE_URL={values['MOBRIEF_LLM_BASE_URL']!r} is not an http(s) URL "
                "(e.g. http://127.0.0.1:11434/v1)"
            )
        raw_timeout = (env.get("MOBRIEF_LLM_TIMEOUT") or "").strip()
        timeout = DEFAULT_TIMEOUT
        if raw_timeout:
            try:
                timeout = float(raw_timeout)
            except ValueError:
                timeout = -1.0
            if not timeout > 0:
                raise ConfigError(f"MOBRIEF_LLM_TIMEOUT={raw_timeout!r} is not a positive number of seconds")
        return cls(
            values["MOBRIEF_LLM_BASE_URL"],
            values["MOBRIEF_LLM_MODEL"],
            api_key=(env.get("MOBRIEF_LLM_API_KEY") or "").strip() or None,
            timeout=timeout,
        )

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def draft(self, story: StoryReports, context: DraftContext) -> StoryDraft:
        """The model's draft of `story` (unchecked: `backends.draft_story` runs the fact guard)."""
        if not story.reports:
            raise DraftingFailed("the story has no reports")
        reports = prompt_reports(story.reports)
        reply = self.complete(build_messages(reports, context))
        sentences = attribute(split_sentences(reply), reports, context)
        if not sentences:
            raise DraftingFailed("malformed reply: no sentences in the model's answer")
        return StoryDraft(
            story_id=story.story_id,
            text=" ".join(s.text for s in sentences),
            status="",
            backend=NAME,
            backend_version=self.version,
            sentences=tuple(sentences),
            item_ids=tuple(r.item_id for r in story.reports),
        )

    def complete(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The text of the model's reply to `messages`; DraftingFailed says why there is none."""
        payload = {"model": self.model, "messages": list(messages), "temperature": 0, "stream": False}
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            if self.client is not None:
                response = self.client.post(self.url, json=payload, headers=headers, timeout=self.timeout)
            else:
                with httpx.Client(timeout=self.timeout) as client:
                    response = client.post(self.url, json=payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise DraftingFailed(f"timed out after {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise DraftingFailed(f"could not reach {self.url}: {exc}") from exc
        if response.status_code == 429:
            raise DraftingFailed("rate limited (HTTP 429)")
        if response.status_code >= 400:
            detail = _error_detail(response)
            raise DraftingFailed(f"HTTP {response.status_code}" + (f": {detail}" if detail else ""))
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DraftingFailed(f"malformed reply: not JSON ({_clip(response.text, 80)!r})") from exc
        return reply_content(body)


def _error_detail(response: httpx.Response) -> str:
    """The server's own words on an error reply ({"error": {"message": …}} or {"error": "…"}), briefly."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    return _clip(error, 160) if isinstance(error, str) else ""


def reply_content(body: Any) -> str:
    """`choices[0].message.content` of a chat-completions reply, without a reasoning model's <think> block."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise DraftingFailed("malformed reply: no choices[0].message.content") from exc
    if not isinstance(content, str):
        raise DraftingFailed(f"malformed reply: content is {type(content).__name__}, not text")
    text = _THINKING.sub("", content).strip().strip('"“”').strip()
    if not text:
        raise DraftingFailed("malformed reply: empty content")
    return text


def _clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary before `limit` characters, marked with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + " …"


# ---- the prompt ----


def prompt_reports(reports: Sequence[Report]) -> list[Report]:
    """The reports a prompt carries: the lead report (the one `frames` and the guard rest on) first."""
    lead = frames.lead_report(reports)
    return [lead, *(r for r in reports if r is not lead)][:MAX_REPORTS]


def _number(value: Any) -> str:
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,g}"


def _amount(amount: Mapping[str, Any]) -> str | None:
    """An amount as the facts list states it: "1,500,000 RUB", "144 months (12 years)", "from 30 to 50 people"."""
    if amount.get("value") is None:
        return None
    currency = str(amount.get("currency") or "")
    value = _number(amount["value"])
    if amount.get("value_to") is not None:
        value = f"from {value} to {_number(amount['value_to'])}"
    text = f"{value} {currency}".strip()
    if currency == "months" and amount.get("value_to") is None:
        years, months = divmod(round(float(amount["value"])), 12)
        if years:
            text += f" ({years} years" + (f" {months} months)" if months else ")")
    if amount.get("per"):
        text += f" per {amount['per']}"
    return text


def facts(reports: Sequence[Report], context: DraftContext) -> dict[str, list[str]]:
    """What enrichment found in the reports, in house spelling, by kind (outlets, people, organisations …)."""
    found: dict[str, list[str]] = {"Outlets": [], "People": [], "Organisations": [], "Places": [], "Amounts": []}
    for r in reports:
        found["Outlets"].append(context.outlet(r.outlet))
        for e in r.entities:
            latin = str(e.get("latin") or "").strip()
            kind = e.get("kind")
            if latin and kind == "person":
                found["People"].append(latin)
            elif latin and kind in ("org", "unit", "party"):
                found["Organisations"].append(latin)
        found["Places"] += [str(p.get("name") or "").strip() for p in r.places]
        found["Amounts"] += [a for a in map(_amount, r.amounts) if a]
    return {kind: list(dict.fromkeys(v for v in values if v)) for kind, values in found.items()}


def glossary_terms(reports: Sequence[Report], context: DraftContext, known: Iterable[str] = ()) -> list[str]:
    """The glossary's terms this story touches: found in the facts or in the reports' romanised text."""
    haystack = " ".join(known).lower()
    words: set[str] = set()
    for r in reports:
        romanised = transliteration.transliterate(f"{r.title} {r.text[:REPORT_CHARS]}", context.overrides).lower()
        haystack += " " + romanised
        words |= {w.lower() for w in _LATIN_WORD.findall(romanised)}
    words |= {w.lower() for w in _LATIN_WORD.findall(haystack)}

    def touches(term: str) -> bool:
        if re.search(rf"(?<!\w){re.escape(term.lower())}(?!\w)", haystack):
            return True
        # a long word of the term by its stem, so that an inflected form counts («Росгвардии» → "Rosgvardii")
        stems = [w.lower()[: max(5, len(w) - 2)] for w in _LATIN_WORD.findall(term) if len(w) >= 6]
        return any(w.startswith(stem) for stem in stems for w in words)

    return [t for t in dict.fromkeys(context.glossary_terms) if t.strip() and touches(t)]


def build_messages(reports: Sequence[Report], context: DraftContext) -> list[dict[str, str]]:
    """The chat: the house rules as the system message; the facts, the glossary terms and the reports as the user's."""
    found = facts(reports, context)
    lines = ["Facts mobrief extracted from the reports (use these spellings):"]
    lines += [f"- {kind}: {'; '.join(values)}" for kind, values in found.items() if values]
    terms = glossary_terms(reports, context, [v for values in found.values() for v in values])
    if terms:
        lines.append(f"- Glossary terms (the house spelling): {'; '.join(terms)}")
    lines.append("")
    lines.append(f"Reports ({len(reports)}; the first is the lead report, the entry rests on it):")
    for n, r in enumerate(reports, 1):
        lines.append("")
        title = f": {r.title}" if r.title else ""
        lines.append(f"[{n}] {context.outlet(r.outlet)}, {r.published_at:%Y-%m-%d}{title}")
        lines.append(_clip(r.text, REPORT_CHARS))
    lines.append("")
    lines.append(f"Write the entry for the lead report, attributed to {context.outlet(reports[0].outlet)}.")
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(lines)}]


# ---- the reply ----


def split_sentences(reply: str) -> list[str]:
    """The reply's sentences, whitespace collapsed (a model's line breaks and list dashes dropped)."""
    text = re.sub(r"^\s*[-*•]\s+", "", reply, flags=re.M)
    text = re.sub(r"\s+", " ", text).strip()
    return [s.text.strip() for s in razdel.sentenize(text) if s.text.strip()]


def _names_in(report: Report, start: int, end: int, overrides: Mapping[str, str]) -> frozenset[str]:
    names: set[str] = set()
    for found in (*report.entities, *report.places):
        if start <= int(found.get("start", -1)) and int(found.get("end", -1)) <= end:
            latin = str(found.get("latin") or found.get("name") or "")
            names |= {w.lower() for w in _LATIN_WORD.findall(latin)}
    for word in _CAPITALISED.findall(report.text[start:end]):
        names |= {w.lower() for w in _LATIN_WORD.findall(transliteration.transliterate(word, overrides))}
    names |= {w.lower() for w in _LATIN_WORD.findall(report.text[start:end]) if w[:1].isupper()}  # Latin in Russian
    return frozenset(names)


def _numbers_in(report: Report, start: int, end: int) -> frozenset[float]:
    numbers = set(guard.source_numbers(report.text[start:end]))
    for a in report.amounts:
        if start <= int(a.get("start", -1)) and int(a.get("end", -1)) <= end:
            numbers |= {float(a[k]) for k in ("value", "value_to") if a.get(k) is not None}
            if a.get("currency") == "months" and a.get("value"):
                numbers |= set(map(float, divmod(round(float(a["value"])), 12)))
    numbers.discard(0.0)
    return frozenset(numbers)


def source_sentences(reports: Sequence[Report], context: DraftContext) -> list[_Source]:
    """Every sentence of the reports a prompt carried (the lead's first), with its numbers and names."""
    out = []
    for r in reports:
        for s in razdel.sentenize(r.text[:REPORT_CHARS]):
            if len(s.text.strip()) < 15:
                continue
            start, end = s.start, s.stop
            out.append(_Source(r, start, end, _numbers_in(r, start, end), _names_in(r, start, end, context.overrides)))
    return out


def _shares(word: str, names: frozenset[str]) -> bool:
    """`word` is one of `names`, or one is the other inflected ("Kursk" ~ "kurske", "Petrova" ~ "petrov")."""
    if word in names:
        return True
    return len(word) >= 4 and any(len(n) >= 4 and (n.startswith(word) or word.startswith(n)) for n in names)


def score(sentence: str, source: _Source) -> int:
    """How much an English sentence shares with a report sentence: numbers count most, then names."""
    values = {v for _, v in guard.english_numbers(sentence) if v == v and v}
    numbers = sum(any(abs(v - n) <= guard.TOLERANCE * max(abs(n), 1.0) for n in source.numbers) for v in values)
    words = {w.lower() for w in _LATIN_WORD.findall(sentence) if w[:1].isupper()} - {"according", "the"}
    return 3 * numbers + 2 * sum(_shares(w, source.names) for w in words)


def attribute(english: Sequence[str], reports: Sequence[Report], context: DraftContext) -> list[DraftSentence]:
    """Each English sentence with the report sentence it rests on: the one sharing most numbers and names
    (the lead report's opening when none shares anything)."""
    sources = source_sentences(reports, context)
    out = []
    for text in english:
        best = max(sources, key=lambda s: score(text, s), default=None)  # ties: the first, the lead's earliest
        if best is None:
            out.append(DraftSentence(text=text, item_id=reports[0].item_id if reports else None))
            continue
        out.append(
            DraftSentence(
                text=text, item_id=best.report.item_id, start=best.start, end=best.end, source_text=best.text.strip()
            )
        )
    return out
