"""The audit log: sign-ins, failures, account changes and publishing, with who, when and from where."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from mobrief.newsroom import review
from mobrief.store.schema import audit_log

pytestmark = pytest.mark.anyio


async def test_what_is_done_is_recorded_and_admins_see_it(browser, newsroom, web_store) -> None:
    await browser.get("/login")
    await browser.post("/login", {"email": "editor@example.org", "password": "not the password"})
    await browser.sign_in("editor")
    story = newsroom.stories["payments"]
    await browser.post(f"/stories/{story}/entry", {"entry_text": "The Vyorstka media outlet has reported that …"})
    await browser.add_to_brief(story)
    others = [
        str(e.entry_id) for e in review.review_draft(web_store, newsroom.draft_id).blocking if e.story_id != story
    ]
    published = await browser.post(f"/drafts/{newsroom.draft_id}/publish", {"confirm": "1", "leave_out": others})
    assert published.status_code == 303, published.text
    await browser.get("/inbox")
    await browser.post("/logout")
    await browser.sign_in("admin")
    editor = newsroom.users["editor"]
    await browser.post(f"/admin/users/{editor}/role", {"role": "volunteer"})
    await browser.post(f"/admin/users/{editor}/password")
    await browser.post("/admin/users", {"email": "new@example.org", "role": "editor", "password": "a long password"})
    entries = web_store.audit.list()
    actions = [e.action for e in reversed(entries)]
    assert actions == [
        "auth.sign_in_failed",
        "auth.sign_in",
        "brief.story_added",  # the editor's "brief" composed the draft of its day again
        "brief.published",
        "auth.sign_out",
        "auth.sign_in",
        "user.role_changed",
        "auth.password_reset",
        "user.added",
    ]
    assert all(e.client == "127.0.0.1" for e in entries)
    assert all(dt.datetime.now(dt.UTC) - e.at < dt.timedelta(minutes=5) for e in entries)
    published = web_store.audit.list(target=("brief", newsroom.draft_id))
    assert [(e.action, e.actor_email) for e in published] == [
        ("brief.published", "editor@example.org"),
        ("brief.story_added", "editor@example.org"),
    ]
    role = web_store.audit.list(action="user.role_changed")[0]
    assert role.actor_email == "admin@example.org" and role.detail == {
        "email": "editor@example.org",
        "from": "editor",
        "to": "volunteer",
    }
    assert web_store.audit.list(action="auth.sign_in_failed")[0].actor_email == "editor@example.org"
    page = await browser.get("/admin/audit")
    assert page.status_code == 200
    assert "user.role_changed" in page.text and "brief.published" in page.text and "127.0.0.1" in page.text
    only_auth = await browser.get("/admin/audit", params={"action": "auth."})
    assert "<td>auth.sign_in_failed</td>" in only_auth.text and "<td>brief.published</td>" not in only_auth.text
    brief = await browser.get("/admin/audit", params={"target_kind": "brief", "target_id": newsroom.draft_id})
    assert "<td>brief.published</td>" in brief.text and "<td>user.added</td>" not in brief.text


def test_audit_log_store(store) -> None:
    user = store.users.add("ed@example.org", "$argon2id$x", "editor")
    first = store.audit.record("auth.sign_in", actor_id=user.id, actor_email=user.email, client="192.0.2.1")
    with pytest.raises(RuntimeError), store.engine.begin() as conn:
        store.audit.record("brief.published", actor_id=user.id, target=("brief", 7), conn=conn)
        raise RuntimeError("the change failed: its entry goes too")
    with store.engine.begin() as conn:
        kept = store.audit.record("brief.corrected", actor_id=user.id, target=("brief", 7), detail={"n": 1}, conn=conn)
    store.users.remove(user.email)  # the account goes, its entries stay readable
    entries = store.audit.list()
    assert [e.id for e in entries] == [kept, first]
    assert entries[0].actor_id is None and entries[0].actor_email is None and entries[0].detail == {"n": 1}
    assert entries[1].actor_email == "ed@example.org" and entries[1].actor_id is None
    assert [e.id for e in store.audit.list(target=("brief", 7))] == [kept]
    assert [e.id for e in store.audit.list(action="auth.")] == [first]
    assert [e.id for e in store.audit.list(before_id=kept)] == [first]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar() == 2
