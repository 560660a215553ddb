"""Triage to publication: add to brief, write, lint, move, preview, publish, archive, feed (both backends)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest

from factories import store_unchecked_draft
from mobrief.newsroom import review

pytestmark = pytest.mark.anyio
ATOM = "{http://www.w3.org/2005/Atom}"


async def test_triage_actions_change_the_story_and_answer_htmx_with_the_row(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    story = newsroom.stories["payments"]
    row = await browser.post(f"/stories/{story}/section", {"section": "soldiers"}, htmx=True)
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<article class="story-row status-new" id="story-{story}"')
    assert web_store.inbox.row(story).section == "soldiers"
    assert web_store.enrichments.get(newsroom.items["post-1"]).editor_section == "soldiers"
    skipped = await browser.post(f"/stories/{story}/status", {"status": "skip"}, htmx=True)
    assert "status-skip" in skipped.text
    assert web_store.enrichments.get(newsroom.items["m-2"]).editor_decision == "skip"
    plain = await browser.post(f"/stories/{story}/status", {"status": "new"})
    assert plain.status_code == 303
    bad = await browser.post(f"/stories/{story}/status", {"status": "maybe"})
    assert bad.status_code == 400
    unknown = await browser.post(f"/stories/{story}/section", {"section": "sport"})
    assert unknown.status_code == 400


async def test_a_volunteers_add_to_brief_is_a_suggestion_the_draft_waits_for(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    football = newsroom.stories["football"]
    await browser.add_to_brief(football)
    assert web_store.inbox.row(football).status == "brief"
    assert web_store.drafts.get(newsroom.draft_id).sections == ()  # only editors change a draft


async def test_add_to_brief_composes_the_draft_of_its_day_again(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    football = newsroom.stories["football"]  # off the beat: composing leaves it out until an editor keeps it
    await browser.post(f"/stories/{newsroom.stories['payments']}/status", {"status": "skip"})
    await browser.add_to_brief(football)
    draft = web_store.drafts.get(newsroom.draft_id)
    told = {e.story_id: e for s in draft.sections for e in s.entries}
    assert football in told and newsroom.stories["payments"] not in told
    entry = told[football]
    assert entry.item_ids == (newsroom.items["m-4"],)
    assert [s["outlet"] for s in entry.sources] and entry.text
    await browser.add_to_brief(football)  # twice: still one entry
    draft = web_store.drafts.get(newsroom.draft_id)
    assert [e.story_id for s in draft.sections for e in s.entries].count(football) == 1


async def test_entry_text_saved_on_the_story_page_is_linted(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    story = newsroom.stories["payments"]
    text = "The Vyorstka media outlet reported that the voenkomat paid 200,000 rubles."
    response = await browser.post(f"/stories/{story}/entry", {"entry_text": text}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="entry-state" id="state-story">')  # that part only
    assert "Saved at" in response.text and "<textarea" not in response.text
    assert "missing-conversion" in response.text and "untranslated" in response.text
    assert web_store.inbox.story(story).entry_text == text
    fixed = await browser.post(
        f"/stories/{story}/entry/apply",
        {"entry_text": text + " More typed.", "fix": "untranslated|48|military enlistment office"},
        htmx=True,
    )
    assert 'id="entry-box"' in fixed.text
    assert web_store.inbox.story(story).entry_text == (
        "The Vyorstka media outlet reported that the military enlistment office paid 200,000 rubles. More typed."
    )


async def _draft_with_two_entries(browser, newsroom, web_store) -> list[int]:
    """Two legal entries in the draft (payments, then sentence); the hostile story is skipped."""
    await browser.post(f"/stories/{newsroom.stories['hostile']}/status", {"status": "skip"})
    for name in ("payments", "sentence"):
        await browser.post(f"/stories/{newsroom.stories[name]}/section", {"section": "legal"})
        await browser.add_to_brief(newsroom.stories[name])
    draft = web_store.drafts.get(newsroom.draft_id)
    assert [s.key for s in draft.sections] == ["legal"]
    by_story = {e.story_id: e.id for e in draft.sections[0].entries}
    return [by_story[newsroom.stories["payments"]], by_story[newsroom.stories["sentence"]]]


async def test_editor_writes_applies_a_suggestion_moves_and_publishes(browser, newsroom, web_store) -> None:
    store_unchecked_draft(web_store, newsroom.stories["sentence"])  # its machine draft failed the fact guard
    await browser.sign_in("editor")
    first, second = await _draft_with_two_entries(browser, newsroom, web_store)
    draft_url = f"/drafts/{newsroom.draft_id}"
    text = "Mediazona reported that a court sentenced a deserter; his family was offered 3 million rubles."
    saved = await browser.post(f"{draft_url}/entries/{first}/text", {"text": text}, htmx=True)
    assert saved.text.lstrip().startswith(f'<div class="entry-state" id="state-{first}">')  # that entry only
    assert "missing-conversion" in saved.text
    finding = re.search(r'code-missing-conversion">.*?name="fix" value="([^"]+)"', saved.text, re.S)
    assert finding is not None
    applied = await browser.post(
        f"{draft_url}/entries/{first}/apply",
        {"fix": html.unescape(finding.group(1)), "text": text},
        htmx=True,
    )
    assert applied.text.lstrip().startswith(f'<article class="entry" id="entry-{first}"')
    fixed = web_store.drafts.get(newsroom.draft_id).entry(first).text
    assert "3 million rubles [$" in fixed
    again = await browser.post(f"{draft_url}/entries/{first}/apply", {"fix": "missing-conversion|0|x"}, htmx=True)
    assert again.status_code == 200  # no such finding: unchanged
    assert web_store.drafts.get(newsroom.draft_id).entry(first).text == fixed

    await browser.post(f"{draft_url}/entries/{second}/move", {"step": "-1"}, htmx=True)
    order = [e.id for e in web_store.drafts.get(newsroom.draft_id).sections[0].entries]
    assert order.index(second) < order.index(first)
    for _ in range(3):  # up to the top, and once more: nothing changes at the top
        await browser.post(f"{draft_url}/entries/{second}/move", {"step": "-1"})
    assert web_store.drafts.get(newsroom.draft_id).sections[0].entries[0].id == second
    await browser.post(f"{draft_url}/entries/{first}/section", {"section": "authorities"}, htmx=True)
    draft = web_store.drafts.get(newsroom.draft_id)
    assert [s.key for s in draft.sections] == ["authorities", "legal"]  # house order
    assert draft.sections[0].heading == "Authorities and Relatives of Mobilized Soldiers"
    assert draft.entry(first).edited

    preview = await browser.get(f"{draft_url}/preview")
    assert preview.status_code == 200 and "Preview of draft" in preview.text and "3 million rubles [$" in preview.text

    straight = await browser.post(f"{draft_url}/publish")  # publishing goes through the review
    assert straight.headers["location"] == f"{draft_url}/review"
    reviewed = await browser.get(f"{draft_url}/review")
    assert "check the facts: 99 is not in the reports" in reviewed.text
    assert f'name="leave_out" value="{second}"' in reviewed.text
    refused = await browser.post(f"{draft_url}/publish", {"confirm": "1"})
    assert refused.status_code == 409 and "Not published." in refused.text
    assert web_store.briefs.get(newsroom.draft_id).status == "draft"
    sentence = "A court in Perm sentenced a deserter to six years, the Vyorstka media outlet reported."
    await browser.post(f"{draft_url}/entries/{second}/text", {"text": sentence})
    await apply_every_fix(browser, web_store, newsroom.draft_id)
    published = await browser.post(f"{draft_url}/publish", {"confirm": "1"})
    assert published.status_code == 303, published.text
    url = published.headers["location"]
    assert url == f"/briefs/{newsroom.draft_id}/mobilization-in-russia-for-june-2-3-2024"
    brief = web_store.briefs.get(newsroom.draft_id)
    assert brief.status == "published"
    assert [s.key for s in brief.sections] == ["authorities", "legal"]
    assert (await browser.post(f"{draft_url}/entries/{first}/text", {"text": "late"})).status_code == 400

    await browser.post("/logout")
    public = await browser.get(url)  # public: no sign-in
    assert public.status_code == 200 and "3 million rubles [$" in public.text
    for ext, kind in (
        ("md", "text/markdown"),
        ("txt", "text/plain"),
        ("json", "application/json"),
        ("telegram", "text/plain"),
        ("html", "text/html"),
    ):
        rendered = await browser.get(f"{url}.{ext}")
        assert rendered.status_code == 200 and rendered.headers["content-type"].startswith(kind), ext
        assert "3 million rubles" in rendered.text
    assert json.loads((await browser.get(f"{url}.json")).text)["title"].startswith("Mobilization in Russia")
    assert (await browser.get(f"/briefs/{newsroom.draft_id}")).headers["location"] == url
    moved = await browser.get(f"/briefs/{newsroom.draft_id}/old-title.md")
    assert moved.status_code == 301 and moved.headers["location"] == url + ".md"
    assert (await browser.get(f"{url}.exe")).status_code == 404

    feed = await browser.get("/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [brief.title]
    assert entries[0].find(f"{ATOM}link").get("href") == url  # no MOBRIEF_PUBLIC_URL: relative, never the Host
    assert "3 million rubles" in entries[0].find(f"{ATOM}content").text

    await browser.sign_in("volunteer")
    archive = await browser.get("/archive")
    assert url in archive.text
    search = await browser.get("/search", params={"q": "deserter"})
    assert search.text.count(f"/briefs/{newsroom.draft_id}/mobilization-in-russia-for-june-2-3-2024#p") == 2
    anchor = search.text.split(f"{url}#", 1)[1].split('"', 1)[0]
    assert f'id="{anchor}"' in (await browser.get(url)).text  # the link lands on the paragraph


async def apply_every_fix(browser, web_store, brief_id: int) -> None:
    """Apply every lint fix the review offers, as an editor clicking each Apply would."""
    for _ in range(10):
        fixes = [
            (e.entry_id, f) for e in review.review_draft(web_store, brief_id).entries for f in e.findings if f.fixable
        ]
        if not fixes:
            return
        entry_id, f = fixes[0]
        fix = f"{f.code}|{f.start}|{f.replacement}"
        await browser.post(f"/drafts/{brief_id}/entries/{entry_id}/apply", {"fix": fix}, htmx=True)
    raise AssertionError("the lint kept finding things to fix")


async def test_publishing_leaves_out_what_the_editor_chose_and_nothing_else(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    first, second = await _draft_with_two_entries(browser, newsroom, web_store)
    url = f"/drafts/{newsroom.draft_id}"
    await browser.post(
        f"{url}/entries/{first}/text", {"text": "A court fined a man, the Vyorstka media outlet reported."}
    )
    await apply_every_fix(browser, web_store, newsroom.draft_id)
    published = await browser.post(f"{url}/publish", {"confirm": "1", "leave_out": [str(second)]})
    assert published.status_code == 303, published.text
    brief = web_store.briefs.get(newsroom.draft_id)
    assert [p for s in brief.sections for p in s.paragraphs] == [web_store.drafts.get(brief.id or 0).entry(first).text]
    assert "[To write]" not in (await browser.get(published.headers["location"] + ".md")).text


async def test_correct_and_withdraw_a_published_brief(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    first, second = await _draft_with_two_entries(browser, newsroom, web_store)
    url = f"/drafts/{newsroom.draft_id}"
    await browser.post(
        f"{url}/entries/{first}/text", {"text": "A court fined a man eight times, the Vyorstka media outlet reported."}
    )
    await apply_every_fix(browser, web_store, newsroom.draft_id)
    public = (await browser.post(f"{url}/publish", {"confirm": "1", "leave_out": [str(second)]})).headers["location"]

    opened = await browser.post(f"/briefs/{newsroom.draft_id}/correct")
    correction = int(opened.headers["location"].rsplit("/", 1)[1])
    assert correction != newsroom.draft_id
    assert (await browser.post(f"/briefs/{newsroom.draft_id}/correct")).headers["location"] == f"/drafts/{correction}"
    (entry,) = [e for s in web_store.drafts.get(correction).sections for e in s.entries]
    fixed_text = "A court fined a man seven times, the Vyorstka media outlet reported."
    await browser.post(f"/drafts/{correction}/entries/{entry.id}/text", {"text": fixed_text})
    await apply_every_fix(browser, web_store, correction)
    no_note = await browser.post(f"/drafts/{correction}/publish", {"confirm": "1"})
    assert no_note.status_code == 400 and "readers see this note" in no_note.text
    done = await browser.post(
        f"/drafts/{correction}/publish", {"confirm": "1", "note": "An earlier version said eight fines."}
    )
    assert done.headers["location"] == public  # the same page, corrected
    page = (await browser.get(public)).text
    assert "Corrected on" in page and "An earlier version said eight fines." in page and "seven times" in page
    feed = ET.fromstring((await browser.get("/feed.atom")).content)
    (item,) = feed.findall(f"{ATOM}entry")
    assert "Corrected on" in item.find(f"{ATOM}content").text
    assert item.find(f"{ATOM}updated").text >= item.find(f"{ATOM}published").text
    history = (await browser.get(f"/briefs/{newsroom.draft_id}/history")).text
    assert "eight times" in history and "editor@example.org" in history

    await browser.post(f"/briefs/{newsroom.draft_id}/withdraw", {"note": "The court record was forged."})
    (withdrawn,) = web_store.audit.list(action="brief.withdrawn")  # once: the use case records it, as for the CLI
    assert (withdrawn.actor_id, withdrawn.actor_email) == (newsroom.users["editor"], "editor@example.org")
    assert withdrawn.client and withdrawn.detail == {"note": "The court record was forged."}
    await browser.post("/logout")
    gone = await browser.get(public)
    assert gone.status_code == 200 and "Withdrawn on" in gone.text and "The court record was forged." in gone.text
    assert "seven times" not in gone.text  # readers no longer get the text
    assert (await browser.get(public + ".md")).status_code == 404
    feed = ET.fromstring((await browser.get("/feed.atom")).content)
    (item,) = feed.findall(f"{ATOM}entry")
    assert item.find(f"{ATOM}title").text.startswith("Withdrawn: ")
    assert "The court record was forged." in item.find(f"{ATOM}content").text
    assert "seven times" not in item.find(f"{ATOM}content").text


async def test_drafts_of_other_people_are_not_public(browser, newsroom) -> None:
    assert (await browser.get(f"/briefs/{newsroom.draft_id}/anything")).status_code == 404


async def test_editor_composes_a_draft_for_a_period(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    await browser.post(f"/stories/{newsroom.stories['hostile']}/status", {"status": "skip"})
    _, brief_id = await browser.compose({"start": "2024-06-03", "end": "2024-06-03", "confirm": "1"})
    draft = web_store.drafts.get(brief_id)
    assert draft.title == "Mobilization in Russia for June 3, 2024"
    told = [e.story_id for s in draft.sections for e in s.entries]
    assert sorted(told) == sorted([newsroom.stories["payments"], newsroom.stories["sentence"]])
    await browser.recompose(brief_id)
    assert sorted(e.story_id for s in web_store.drafts.get(brief_id).sections for e in s.entries) == sorted(told)
    bad = await browser.post("/drafts", {"start": "2024-06-03", "end": "2024-06-01"})
    assert bad.status_code == 400
    entry = draft.sections[0].entries[0]
    await browser.post(f"/drafts/{brief_id}/entries/{entry.id}/delete")
    assert entry.id not in [e.id for s in web_store.drafts.get(brief_id).sections for e in s.entries]
    deleted = await browser.post(f"/drafts/{brief_id}/delete")
    assert deleted.status_code == 303
    assert (await browser.get(f"/drafts/{brief_id}")).status_code == 404


async def test_volunteers_suggest_and_only_editors_change_a_draft(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    first, second = await _draft_with_two_entries(browser, newsroom, web_store)
    await browser.sign_in("volunteer")
    url = f"/drafts/{newsroom.draft_id}"
    assert (await browser.post(f"{url}/entries/{first}/text", {"text": "Some text."})).status_code == 403
    assert (await browser.post(f"{url}/entries/{first}/apply", {"fix": "x|0|y"})).status_code == 403
    assert (await browser.post(f"{url}/entries/{second}/move", {"step": "-1"})).status_code == 403
    assert (await browser.post(f"{url}/entries/{second}/section", {"section": "legal"})).status_code == 403
    assert (await browser.post(f"{url}/entries/{second}/delete")).status_code == 403
    story = newsroom.stories["payments"]
    assert (await browser.post(f"/stories/{story}/entry", {"entry_text": "Mine."})).status_code == 403
    page = (await browser.get(url)).text
    assert "Move to section" not in page and 'id="review"' not in page and "<textarea" not in page
    suggested = await browser.post(f"/stories/{story}/suggestion", {"text": "Vyorstka reported a payment."})
    assert suggested.status_code == 303
    assert web_store.inbox.story(story).entry_text is None  # a suggestion, not the entry
    await browser.sign_in("editor")
    shown = (await browser.get(url)).text
    assert "Suggested by volunteer@example.org" in shown and "Vyorstka reported a payment." in shown
    (suggestion,) = web_store.suggestions.of_stories([story])[story]
    used = await browser.post(f"/stories/{story}/suggestion/{suggestion.id}/use", {"back": url})
    assert used.headers["location"] == url
    assert web_store.drafts.get(newsroom.draft_id).entry(first).text == "Vyorstka reported a payment."
