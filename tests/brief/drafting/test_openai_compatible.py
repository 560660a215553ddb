"""The openai-compatible backend against a real chat-completions server on 127.0.0.1: a good reply is drafted; a
timeout, an error status, a malformed reply or a draft the fact guard rejects hands the story to frames."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mobrief.brief.drafting import backends, openai_compatible
from mobrief.brief.drafting.openai_compatible import OpenAICompatibleBackend
from mobrief.brief.drafting.records import DRAFTED, DraftContext, Report, StoryDraft, StoryReports
from mobrief.errors import ConfigError

FIRST = (
    "Суд в Курске приговорил местного жителя Ивана Петрова к 12 годам колонии строгого режима "
    "по делу о госизмене, сообщает «Медиазона»."
)
SECOND = "По данным издания, 34-летний Петров перевёл 5 тысяч рублей фонду, который суд счёл связанным с ВСУ."
THIRD = "Задержание Петрова в прошлом году проводили сотрудники Росгвардии."
TEXT = f"{FIRST} {SECOND} {THIRD}"

GOOD = (
    "According to Mediazona, a court in Kursk has sentenced local resident Ivan Petrov to 12 years in a "
    "maximum-security penal colony on treason charges. Petrov, 34, had sent 5,000 rubles to a fund the court "
    "considered linked to the armed forces of Ukraine."
)
INVENTED = "According to Mediazona, a court in Kursk has sentenced Ivan Petrov to 15 years in a penal colony."


def _span(text: str, part: str) -> dict[str, int]:
    start = text.index(part)
    return {"start": start, "end": start + len(part)}


def _story() -> StoryReports:
    report = Report(
        item_id=41,
        outlet="mediazona",
        text=TEXT,
        published_at=dt.datetime(2024, 5, 6, 9, 30, tzinfo=dt.UTC),
        title="Жителя Курска приговорили к 12 годам по делу о госизмене",
        lang="ru",
        relevance=0.9,
        entities=({"kind": "person", "latin": "Ivan Petrov", **_span(TEXT, "Ивана Петрова")},),
        places=({"name": "Kursk", **_span(TEXT, "Курске")},),
        amounts=(
            {"currency": "months", "value": 144, **_span(TEXT, "12 годам")},
            {"currency": "RUB", "value": 5000, **_span(TEXT, "5 тысяч рублей")},
        ),
    )
    return StoryReports(story_id=7, reports=(report,))


CONTEXT = DraftContext(outlet_names={"mediazona": "Mediazona"}, glossary_terms=("Rosgvardia", "State Duma"))


# ---- a real chat-completions server ----


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class ChatServer:
    """Answers POST /v1/chat/completions with the scripted reply and records what it was sent."""

    base_url: str = ""
    reply: Reply = field(default_factory=Reply)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def answer(
        self, content: str | None = None, *, status: int = 200, body: bytes | None = None, delay: float = 0.0
    ) -> None:
        if body is None:
            choice = {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            body = json.dumps({"object": "chat.completion", "model": "test-model", "choices": [choice]}).encode()
        self.reply = Reply(status=status, body=body, delay=delay)

    def sent(self) -> dict[str, Any]:
        """The JSON body of the last request."""
        return dict(json.loads(self.requests[-1][2]))


def _handler_for(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            server.requests.append((self.path, dict(self.headers.items()), body))
            reply = server.reply
            if self.path != "/v1/chat/completions":
                reply = Reply(status=404, body=b'{"error": {"message": "no such route"}}')
            if reply.delay:
                server.released.wait(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except OSError:  # the client gave up (the timeout test)
                pass

    return Handler


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    local = ChatServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(local))
    httpd.daemon_threads = True
    local.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield local
    local.released.set()
    httpd.shutdown()
    httpd.server_close()


def _backend(server: ChatServer, timeout: float = 5.0) -> OpenAICompatibleBackend:
    return OpenAICompatibleBackend(server.base_url, "test-model", api_key="sk-test", timeout=timeout)


def _fallback(draft: StoryDraft) -> str:
    notes = [f for f in draft.findings if f.kind == "fallback"]
    assert draft.backend == "frames"
    assert len(notes) == 1
    assert notes[0].text == "openai-compatible"
    return notes[0].message


# ---- a good reply ----


def test_good_reply_is_drafted_with_provenance(chat_server: ChatServer) -> None:
    chat_server.answer(GOOD)
    draft = backends.draft_story(_story(), CONTEXT, _backend(chat_server))
    assert draft.status == DRAFTED, draft.findings
    assert draft.backend == "openai-compatible"
    assert draft.backend_version == "openai-compatible-1:test-model"
    assert draft.findings == ()
    assert draft.text == GOOD
    assert draft.item_ids == (41,)
    first, second = draft.sentences
    assert (first.item_id, first.source_text) == (41, FIRST)
    assert TEXT[first.start : first.end] == FIRST
    assert (second.item_id, second.source_text) == (41, SECOND)  # 34 and 5,000 rubles are stated there


def test_request_carries_model_key_rules_facts_and_report(chat_server: ChatServer) -> None:
    chat_server.answer(GOOD)
    backends.draft_story(_story(), CONTEXT, _backend(chat_server))
    path, headers, _ = chat_server.requests[-1]
    assert path == "/v1/chat/completions"
    assert headers["Authorization"] == "Bearer sk-test"
    sent = chat_server.sent()
    assert sent["model"] == "test-model"
    assert sent["temperature"] == 0
    system, user = sent["messages"]
    assert system["role"] == "system"
    assert "According to <outlet>" in system["content"]
    assert "dollar" in system["content"]
    assert user["role"] == "user"
    assert TEXT in user["content"]
    assert "People: Ivan Petrov" in user["content"]
    assert "Places: Kursk" in user["content"]
    assert "144 months (12 years)" in user["content"]
    assert "Mediazona" in user["content"]
    assert "Rosgvardia" in user["content"]  # «Росгвардии» is in the report
    assert "State Duma" not in user["content"]  # the Duma is not


def test_no_authorization_header_without_a_key(chat_server: ChatServer) -> None:
    chat_server.answer(GOOD)
    OpenAICompatibleBackend(chat_server.base_url, "test-model").draft(_story(), CONTEXT)
    assert "Authorization" not in chat_server.requests[-1][1]


def test_reasoning_block_and_line_breaks_are_dropped(chat_server: ChatServer) -> None:
    chat_server.answer("<think>The court is in Kursk.</think>\n\n" + GOOD.replace(". Petrov", ".\nPetrov"))
    draft = _backend(chat_server).draft(_story(), CONTEXT)
    assert draft.text == GOOD
    assert len(draft.sentences) == 2


# ---- failures: frames takes over and says why ----


def test_timeout_falls_back_to_frames(chat_server: ChatServer) -> None:
    chat_server.answer(GOOD, delay=5.0)
    draft = backends.draft_story(_story(), CONTEXT, _backend(chat_server, timeout=0.5))
    assert "timed out after 0.5 s" in _fallback(draft)


@pytest.mark.parametrize(
    ("status", "said"),
    [(429, "rate limited (HTTP 429)"), (500, "HTTP 500: model crashed"), (404, "HTTP 404")],
)
def test_error_status_falls_back_to_frames(chat_server: ChatServer, status: int, said: str) -> None:
    chat_server.answer(status=status, body=b'{"error": {"message": "model crashed"}}')
    draft = backends.draft_story(_story(), CONTEXT, _backend(chat_server))
    assert said in _fallback(draft)


@pytest.mark.parametrize(
    "body",
    [
        b'{"choices": [{"message": {"content": "According to',  # cut off mid-JSON
        b"<html>Bad Gateway</html>",
        b'{"choices": []}',
        b'{"choices": [{"message": {"role": "assistant"}}]}',
        b'{"choices": [{"message": {"content": "   "}}]}',
        b'{"choices": [{"message": {"content": ["According to Mediazona"]}}]}',
    ],
)
def test_malformed_reply_falls_back_to_frames(chat_server: ChatServer, body: bytes) -> None:
    chat_server.answer(body=body)
    draft = backends.draft_story(_story(), CONTEXT, _backend(chat_server))
    assert "malformed reply" in _fallback(draft)


def test_invented_number_is_rejected_by_the_guard(chat_server: ChatServer) -> None:
    chat_server.answer(INVENTED)
    story = _story()
    assert _backend(chat_server).draft(story, CONTEXT).text == INVENTED  # the backend returns it as written
    draft = backends.draft_story(story, CONTEXT, _backend(chat_server))
    message = _fallback(draft)
    assert "fact guard rejected" in message
    assert "15" in message
    assert "15" not in draft.text


def test_unreachable_server_falls_back_to_frames() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OpenAICompatibleBackend(f"http://127.0.0.1:{port}/v1", "test-model", timeout=2.0)
    draft = backends.draft_story(_story(), CONTEXT, backend)
    assert "could not reach" in _fallback(draft)


# ---- configuration ----


def test_from_env_reads_the_llm_variables() -> None:
    backend = OpenAICompatibleBackend.from_env(
        {
            "MOBRIEF_LLM_BASE_URL": "http://127.0.0.1:11434/v1/",
            "MOBRIEF_LLM_MODEL": "qwen2.5:7b",
            "MOBRIEF_LLM_API_KEY": "sk-x",
            "MOBRIEF_LLM_TIMEOUT": "12.5",
        }
    )
    assert backend.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert (backend.model, backend.api_key, backend.timeout) == ("qwen2.5:7b", "sk-x", 12.5)
    assert backend.version == "openai-compatible-1:qwen2.5:7b"


def test_registered_under_its_name() -> None:
    env = {"MOBRIEF_LLM_BASE_URL": "http://127.0.0.1:11434/v1", "MOBRIEF_LLM_MODEL": "llama3.1"}
    backend = backends.get_backend(openai_compatible.NAME, env)
    assert isinstance(backend, OpenAICompatibleBackend)
    assert backend.api_key is None
    assert backend.timeout == openai_compatible.DEFAULT_TIMEOUT


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MOBRIEF_LLM_MODEL": "llama3.1"}, "MOBRIEF_LLM_BASE_URL"),
        ({"MOBRIEF_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "MOBRIEF_LLM_MODEL"),
        ({"MOBRIEF_LLM_BASE_URL": "127.0.0.1:11434", "MOBRIEF_LLM_MODEL": "m"}, "MOBRIEF_LLM_BASE_URL"),
        ({"MOBRIEF_LLM_BASE_URL": "http://h/v1", "MOBRIEF_LLM_MODEL": "m", "MOBRIEF_LLM_TIMEOUT": "soon"}, "TIMEOUT"),
        ({"MOBRIEF_LLM_BASE_URL": "http://h/v1", "MOBRIEF_LLM_MODEL": "m", "MOBRIEF_LLM_TIMEOUT": "0"}, "TIMEOUT"),
    ],
)
def test_from_env_names_what_is_missing(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        OpenAICompatibleBackend.from_env(env)
