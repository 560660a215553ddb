"""The editors' desk over HTTP: fixing stories by hand, fast triage, drafts that keep removals and warn on overlap,
entries that refuse a stale save, outlets under one name, HEAD and the favicon (both backends)."""

from __future__ import annotations

import re

import httpx
import pytest
from markupsafe import escape

from conftest import Browser
from mobrief.newsroom.drafting import draft_pending
from mobrief.store import open_store
from mobrief.style import sections
from mobrief.web import brief_history, drafting

pytestmark = pytest.mark.anyio


async def test_merge_split_and_move_from_the_story_page(browser, newsroom, web_store) -> None:
    payments, sentence = newsroom.stories["payments"], newsroom.stories["sentence"]
    await browser.sign_in("volunteer")
    assert (await browser.post(f"/stories/{payments}/merge", {"other": str(sentence)})).status_code == 403
    assert (await browser.get(f"/stories/{payments}/merge-candidates")).status_code == 403
    await browser.sign_in("editor")
    page = (await browser.get(f"/stories/{payments}")).text
    assert f'hx-get="/stories/{payments}/merge-candidates"' in page  # read when the picker is opened
    options = (await browser.get(f"/stories/{payments}/merge-candidates")).text
    assert f'<option value="{sentence}">' in options  # a candidate from around the same days
    merged = await browser.post(f"/stories/{payments}/merge", {"other": str(sentence)})
    assert merged.headers["location"] == f"/stories/{payments}"
    assert set(web_store.inbox.item_ids(payments)) == {
        newsroom.items["post-1"],
        newsroom.items["m-2"],
        newsroom.items["post-5"],
    }
    gone = await browser.get(f"/stories/{sentence}")  # the merged story lives on in the other
    assert gone.status_code == 303 and gone.headers["location"] == f"/stories/{payments}"
    assert "merged story" in (await browser.get(f"/stories/{payments}")).text

    split = await browser.post(f"/stories/{payments}/split", {"item_ids": [str(newsroom.items["post-5"])]})
    new_story = int(split.headers["location"].rsplit("/", 1)[1])
    assert web_store.inbox.item_ids(new_story) == [newsroom.items["post-5"]]
    everything = await browser.post(f"/stories/{new_story}/split", {"item_ids": [str(newsroom.items["post-5"])]})
    assert everything.status_code == 400 and "leave at least one report" in everything.text

    moved = await browser.post(
        f"/stories/{payments}/move", {"item_ids": [str(newsroom.items["m-2"])], "to": str(new_story)}
    )
    assert moved.headers["location"] == f"/stories/{new_story}"
    assert newsroom.items["m-2"] in web_store.inbox.item_ids(new_story)
    kinds = [d.kind for d in web_store.story_decisions.all()]
    assert kinds == ["merge", "split", "move"]
    assert {d.editor for d in web_store.story_decisions.all()} == {"editor@example.org"}


async def test_inbox_counts_bulk_triage_and_bulk_merge(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    inbox = (await browser.get("/inbox")).text
    assert 'New <span class="count">3</span>' in inbox  # three stories on the beat, all new
    assert "Sentences, Legal Proceedings and Incidents (2)" in inbox
    ids = [str(newsroom.stories["payments"]), str(newsroom.stories["hostile"])]
    done = await browser.post("/stories/bulk", {"action": "section", "section": "children", "story_ids": ids})
    assert done.status_code == 303
    assert {web_store.inbox.row(int(i)).section for i in ids} == {"children"}
    await browser.post("/stories/bulk", {"action": "skip", "story_ids": ids})
    assert {web_store.inbox.row(int(i)).status for i in ids} == {"skip"}
    counted = (await browser.get("/inbox")).text
    assert 'New <span class="count">1</span>' in counted and 'Skipped <span class="count">2</span>' in counted
    assert (await browser.post("/stories/bulk", {"action": "merge", "story_ids": ids})).status_code == 403
    assert (await browser.post("/stories/bulk", {"action": "skip"})).status_code == 400
    await browser.sign_in("editor")
    merged = await browser.post("/stories/bulk", {"action": "merge", "story_ids": ids})
    keep = newsroom.stories["payments"]  # the story with more reports
    assert merged.headers["location"] == f"/stories/{keep}"
    assert newsroom.items["post-3"] in web_store.inbox.item_ids(keep)


async def test_tab_counts_are_kept_until_anything_is_committed(browser, newsroom, web_store, monkeypatch) -> None:
    await browser.sign_in("editor")
    assert 'New <span class="count">3</span>' in (await browser.get("/inbox")).text
    counted: list[object] = []
    count = web_store.inbox.counts
    monkeypatch.setattr(web_store.inbox, "counts", lambda flt: counted.append(flt) or count(flt))
    assert 'New <span class="count">3</span>' in (await browser.get("/inbox")).text
    assert counted == []  # kept: nothing was committed since
    other = open_store(str(web_store.engine.url.render_as_string(hide_password=False)), migrate=False)
    try:
        other.inbox.set_status(newsroom.stories["payments"], "skip")  # another process (a worker, the CLI) triages
    finally:
        other.close()
    assert 'New <span class="count">2</span>' in (await browser.get("/inbox")).text  # counted again at once
    await browser.post(f"/stories/{newsroom.stories['hostile']}/status", {"status": "skip"})  # a change here
    assert 'New <span class="count">1</span>' in (await browser.get("/inbox")).text  # shows at once
    assert len(counted) == 2


async def test_gist_under_the_russian_title(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    inbox = (await browser.get("/inbox")).text
    assert "the Belgorod region · 200,000 rubles [$2,240]" in inbox  # facts, until someone writes English
    assert "Alexei Pushkaryov" in inbox
    story = newsroom.stories["payments"]
    await browser.post(f"/stories/{story}/entry", {"entry_text": "Vyorstka reported a payment. More detail."})
    assert "Vyorstka reported a payment." in (await browser.get("/inbox")).text
    sentence = newsroom.stories["sentence"]
    assert '<span class="gist">Alexei Pushkaryov</span>' in (await browser.get(f"/stories/{sentence}")).text
    draft_pending(web_store)  # a machine draft: its first sentence, unattributed, on both pages
    drafted = web_store.story_drafts.get(sentence)
    assert drafted is not None and drafted.text.startswith("According to")
    gist = str(escape(drafting.gist_of_draft(drafted.text).text))
    assert gist and not gist.startswith("According to")
    assert f'<span class="gist">{gist}</span>' in (await browser.get(f"/stories/{sentence}")).text
    assert gist in (await browser.get("/inbox")).text


async def test_a_removed_story_stays_out_and_overlapping_periods_warn(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    drafts = (await browser.get("/drafts")).text
    assert 'name="start" value="2024-06-02"' in drafts and 'name="end" value="2024-06-03"' in drafts
    warned = await browser.post("/drafts", {"start": "2024-06-03", "end": "2024-06-04"})
    assert warned.status_code == 409
    assert "meets a brief already" in warned.text and f'href="/drafts/{newsroom.draft_id}"' in warned.text
    assert len(web_store.drafts.listing("draft")) == 1  # nothing composed before the editor chose
    _, brief_id = await browser.compose({"start": "2024-06-03", "end": "2024-06-04", "confirm": "1"})
    draft = web_store.drafts.get(brief_id)
    entry = next(e for s in draft.sections for e in s.entries if e.story_id == newsroom.stories["sentence"])
    await browser.post(f"/drafts/{brief_id}/entries/{entry.id}/delete", htmx=True)
    await browser.recompose(brief_id)
    told = {e.story_id for s in web_store.drafts.get(brief_id).sections for e in s.entries}
    assert newsroom.stories["sentence"] not in told
    page = (await browser.get(f"/drafts/{brief_id}")).text
    assert "Removed from this brief (1)" in page
    await browser.post(f"/drafts/{brief_id}/removed/{newsroom.stories['sentence']}/restore")
    assert await browser.composed(brief_id) == "done"
    told = {e.story_id for s in web_store.drafts.get(brief_id).sections for e in s.entries}
    assert newsroom.stories["sentence"] in told


async def test_every_change_to_a_brief_is_in_its_history(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    brief_id = newsroom.draft_id
    await browser.recompose(brief_id)
    draft = web_store.drafts.get(brief_id)
    entry = next(e for s in draft.sections for e in s.entries if e.story_id is not None)
    story = entry.story_id
    for text in ("A court in Perm", "A court in Perm sentenced a deserter."):  # two autosaves: one line
        saved = await browser.post(f"/drafts/{brief_id}/entries/{entry.id}/text", {"text": text}, htmx=True)
        assert saved.status_code == 200
    await browser.post(f"/drafts/{brief_id}/entries/{entry.id}/section", {"section": "children"}, htmx=True)
    await browser.post(f"/drafts/{brief_id}/entries/{entry.id}/delete", htmx=True)
    await browser.recompose(brief_id)
    lines = [(line.who, line.what) for line in brief_history.lines_of(web_store, brief_id)]
    assert lines == [
        ("editor@example.org", "composed it again"),
        ("editor@example.org", f"removed story {story} from this brief"),
        ("editor@example.org", f"moved the entry of story {story} to {sections.CURRENT_HEADINGS['children']}"),
        ("editor@example.org", f"wrote the entry of story {story}"),
        ("editor@example.org", "composed it again"),
    ]
    page = (await browser.get(f"/drafts/{brief_id}/history")).text
    assert f"removed story {story} from this brief" in page and f'href="/stories/{story}"' in page
    await browser.post("/logout")
    await browser.sign_in("volunteer")
    assert (await browser.get(f"/drafts/{brief_id}/history")).status_code == 403  # editors see the history


async def test_a_save_over_someone_elses_newer_text_is_refused(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    story = newsroom.stories["payments"]
    await browser.post(f"/stories/{story}/entry", {"entry_text": "First version."})
    page = (await browser.get(f"/stories/{story}")).text
    base = page.split('name="base" value="', 1)[1].split('"', 1)[0]
    web_store.stories.get(story)
    await browser.post(f"/stories/{story}/entry", {"entry_text": "Someone else's version.", "base": base})
    stale = await browser.post(f"/stories/{story}/entry", {"entry_text": "My late version.", "base": base}, htmx=True)
    assert stale.status_code == 409 and "Someone else saved" in stale.headers["x-mobrief-message"]
    assert web_store.inbox.story(story).entry_text == "Someone else's version."


async def test_one_outlet_one_name(browser, newsroom, web_store) -> None:
    await browser.sign_in("admin")
    await browser.post("/admin/outlets", {"alias": "mediazona", "outlet": "Vyorstka"})
    outlets = (await browser.get("/admin/outlets")).text
    assert "mediazona" in outlets
    inbox = (await browser.get("/inbox")).text
    assert '<option value="Vyorstka"' in inbox and '<option value="mediazona"' not in inbox
    filtered = (await browser.get("/inbox", params={"source": "Vyorstka", "relevant": "0"})).text
    assert "Матч по футболу" in filtered  # a mediazona report, found under the one outlet name
    await browser.post("/admin/outlets/remove", {"alias": "mediazona"})
    assert web_store.outlet_aliases.all() == {}


async def test_head_and_favicon_are_answered(browser, newsroom) -> None:
    head = await browser.client.head("/login")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    icon = await browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"


async def test_inbox_rows_kept_for_every_editor_carry_each_ones_token_and_show_another_process_changes(
    browser, newsroom, web_store, web_app
) -> None:
    """The inbox's rows are rendered once while nothing is committed and served to every editor: each page must
    carry its own session's CSRF token in every row's forms, and a change from another process shows at once."""
    await browser.sign_in("editor")
    first = (await browser.get("/inbox")).text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web_app), base_url="http://testserver") as client:
        other_editor = Browser(client)
        await other_editor.sign_in("admin")
        second = (await other_editor.get("/inbox")).text  # the rows kept from the page before
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for page in (first, second)]
    assert all(len(found) == 1 for found in tokens) and tokens[0] != tokens[1]
    story = newsroom.stories["payments"]
    assert f'id="story-{story}"' in second
    assert (await browser.get("/inbox")).text == first  # kept, and the same page
    other = open_store(web_store.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        other.inbox.set_status(story, "skip")  # another process triages
    finally:
        other.close()
    assert f'id="story-{story}"' not in (await browser.get("/inbox")).text
