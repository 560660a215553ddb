"""The rest of the editors' desk walked in a real chromium against a real `mobrief serve`: drafted sentences beside
the Russian they rest on (brief editor and story page), draft dates and overlapping periods, a removed story that
stays out, triage and moving a report from the story page, a volunteer's suggestion an editor takes, a brief's
history, and search that finds a name in either alphabet and links to the story, the report and the paragraph.

The tests run in order on one server: the first composes the draft the others work on.
"""

from __future__ import annotations

import re
from typing import Any

import desk
import httpx
import pytest
from desk import composed, shot, sign_in

pytestmark = pytest.mark.browser
server, chromium, page = desk.server, desk.chromium, desk.page  # the fixtures this module uses

PERIOD = "2024-06-03"


def entry_of(page: Any, story_id: int) -> Any:
    return page.locator("article.entry", has=page.locator(f"a[href='/stories/{story_id}']"))


def test_drafted_sentences_sit_beside_the_russian_they_rest_on(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    # the dates offered are the latest days with stories on the beat
    assert page.input_value("input[name=end]") == PERIOD
    page.fill("input[name=start]", PERIOD)
    page.click("button:has-text('Compose draft')")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    composed(page)

    entry = entry_of(page, ids["kaluga"])
    provenance = entry.locator("ol.provenance li").first
    english = provenance.inner_text().split("\n")[0]
    russian = provenance.locator("a.ru").inner_text()
    assert "Pushkaryov" in english and "Пушкарёва" in russian
    # the Russian side is open, its facts marked, the drafted sentence's source underlined where it stands
    source = entry.locator(".entry-sources .source-sentence")
    assert source.is_visible() and source.inner_text() in russian
    assert entry.locator(".entry-sources mark.fact-person").inner_text() == "Алексея Пушкарёва"
    provenance.hover()
    assert "lit" in (source.get_attribute("class") or "")
    shot(page, "draft-provenance")

    # the story page shows the same: the machine draft in the box, each sentence over its Russian source
    page.goto(base + f"/stories/{ids['kaluga']}")
    assert "Pushkaryov" in page.input_value("textarea[name=entry_text]")
    assert page.locator("#entry-box ol.provenance li").count() >= 1
    page.click("#entry-box ol.provenance a.ru >> nth=0")
    assert page.url.endswith("#src-story-1")
    assert page.locator("#src-story-1").inner_text() in russian
    assert page.locator(".source-text mark.fact-person").count() >= 1
    shot(page, "story-provenance")
    # and the inbox's gist under the Russian title is the draft's first sentence, without its attribution
    page.goto(base + "/inbox")
    gist = page.locator(f"#story-{ids['kaluga']} .gist").inner_text()
    assert "Pushkaryov" in gist and not gist.startswith("According to")

    # composing an overlapping period warns and offers to open the draft there is
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-02")
    page.fill("input[name=end]", PERIOD)
    page.click("button:has-text('Compose draft')")
    banner = page.locator("section.banner[role=alert]")
    assert "meets a brief already" in banner.inner_text()
    banner.locator("a:has-text('Open it')").click()
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    assert entry_of(page, ids["kaluga"]).count() == 1
    assert [e for e in page.watch.errors if "409 (Conflict)" not in e] == []  # the overlap answered 409
    assert page.watch.dialogs == []


def test_a_removed_story_stays_out_when_composed_again(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    page.locator("ul.listing a").first.click()
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    entry_of(page, ids["contract"]).locator("button.remove").click()
    page.wait_for_function(f"() => !document.querySelector(\"article.entry a[href='/stories/{ids['contract']}']\")")
    page.click("button.compose")
    page.wait_for_load_state()
    composed(page)
    assert entry_of(page, ids["contract"]).count() == 0
    assert f"/stories/{ids['contract']}" in page.inner_html("section.removed-stories")
    page.click("a:has-text('History')")
    page.wait_for_url(re.compile(r".*/history$"))
    history = page.inner_text("ul.history")
    assert f"editor@example.org · removed story {ids['contract']} from this brief" in history
    assert "editor@example.org · composed it again" in history
    assert "editor@example.org · composed the draft" in history
    assert page.watch.errors == []


def test_triage_and_moving_a_report_from_the_story_page(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + f"/stories/{ids['conscripts']}")
    page.click("#story-triage button.status-brief")
    page.locator("#story-triage .badge", has_text="for the brief").wait_for()
    page.select_option("#story-triage select[name=section]", "children")
    page.wait_for_function("() => document.querySelector('#story-triage select[name=section]').value === 'children'")
    page.reload()
    assert "for the brief" in page.inner_text("#story-triage")

    # a report told in the wrong story goes to the right one
    page.goto(base + f"/stories/{ids['sentence']}")
    page.check(f"#item-{ids['item:sentence']} input[name=item_ids]")
    page.fill("input[name=to]", str(ids["kaluga"]))
    page.click("button.move")
    page.wait_for_url(base + f"/stories/{ids['kaluga']}")
    assert page.locator(f"#item-{ids['item:sentence']}").count() == 1
    assert "moved 1 report" in page.inner_text(".story-tools")
    assert page.watch.errors == []


def test_a_volunteer_suggests_and_an_editor_takes_it(
    server: tuple[str, dict[str, int]], chromium: Any, page: Any
) -> None:
    base, ids = server
    volunteer = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    try:
        sign_in(volunteer, base, "volunteer")
        volunteer.goto(base + f"/stories/{ids['picket']}")
        assert volunteer.locator("button.split, button.merge, button.move").count() == 0
        box = volunteer.locator("textarea[name=text]")
        box.fill("Wives of mobilized soldiers picketed the regional government in Novosibirsk, a news site reported.")
        box.dispatch_event("change")
        volunteer.locator("#entry-box .save-state .idle", has_text="Saved at").wait_for()
        # the brief editor is read-only to a volunteer, and the server refuses a write all the same
        volunteer.goto(base + "/drafts")
        volunteer.locator("ul.listing a").first.click()
        volunteer.wait_for_url(re.compile(r".*/drafts/\d+$"))
        draft_id = volunteer.url.rsplit("/", 1)[1]
        assert volunteer.locator("article.entry textarea").count() == 0
        assert volunteer.locator("#review, button.compose").count() == 0
        entry_id = entry_of(volunteer, ids["picket"]).get_attribute("data-entry")
        token = volunteer.locator("input[name=csrf_token]").first.input_value()
        refused = volunteer.request.post(
            base + f"/drafts/{draft_id}/entries/{entry_id}/text", form={"text": "vandalised", "csrf_token": token}
        )
        assert refused.status == 403
    finally:
        volunteer.context.close()

    sign_in(page, base)
    page.goto(base + "/drafts")
    page.locator("ul.listing a").first.click()
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    entry = entry_of(page, ids["picket"])
    assert "Suggested by volunteer@example.org" in entry.locator(".suggestion").inner_text()
    entry.locator(".suggestion button:has-text('Use this text')").click()
    page.wait_for_load_state()
    assert "picketed the regional government" in entry_of(page, ids["picket"]).locator("textarea").input_value()
    assert "vandalised" not in page.content()
    assert page.watch.errors == []


def test_search_finds_names_in_either_alphabet_and_links_to_where_they_are(
    server: tuple[str, dict[str, int]], page: Any
) -> None:
    base, ids = server
    sign_in(page, base)
    # publish the draft (its one written entry; the rest left out), so a paragraph can be found too
    page.goto(base + "/drafts")
    page.locator("ul.listing a").first.click()
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    draft_url = page.url
    page.goto(draft_url + "/review")
    # ready machine drafts no editor changed are named (not blocking); the editor may leave them out too
    unread = page.locator("details.machine-drafts")
    assert "machine drafts no editor has changed" in unread.locator("summary").inner_text()
    unread.locator("summary").click()
    for checkbox in page.locator("input[name=leave_out]").all():
        checkbox.check()
    page.click("#publish")
    page.wait_for_url(re.compile(r".*/briefs/\d+/.*"))

    for words in ("Pushkaryov", "Пушкарев", "Пушкарёвым"):  # Latin, ё-less, another case
        page.goto(base + "/search?" + str(httpx.QueryParams({"q": words})))
        story = page.locator("section[aria-label=Stories] .hit").first
        assert story.locator("a.hit-title").get_attribute("href") == f"/stories/{ids['kaluga']}", words
        assert story.locator("mark").count() >= 1, words
        report = f"/stories/{ids['kaluga']}#item-{ids['item:kaluga']}"
        assert page.locator(f"section[aria-label=Reports] a[href='{report}']").count() == 1, words
    page.locator(f"section[aria-label=Reports] a[href$='#item-{ids['item:kaluga']}']").click()
    page.wait_for_url(base + f"/stories/{ids['kaluga']}#item-{ids['item:kaluga']}")

    page.goto(base + "/search?q=военкоматы")  # an inflection the reports do not use
    assert page.locator("section[aria-label=Reports] .hit").count() >= 2
    assert "военкомат" in page.locator("section[aria-label=Reports] .snippet mark").first.inner_text()

    page.goto(base + "/search?q=picketed+regional&kind=paragraphs")
    hit = page.locator("section[aria-label='Published briefs'] a.hit-title").first
    href = hit.get_attribute("href") or ""
    assert re.fullmatch(r"/briefs/\d+/[a-z0-9-]+#p\d+", href), href
    hit.click()
    page.wait_for_load_state()
    anchor = href.split("#", 1)[1]
    assert "picketed the regional government" in page.locator(f"[id='{anchor}']").inner_text()
    shot(page, "search")
    assert page.watch.errors == []
