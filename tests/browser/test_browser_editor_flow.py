"""The editors' desk in a real chromium against a real `mobrief serve` (one server and one browser for the module):
keyboard triage, entries that save themselves without losing a keystroke, safe publishing, corrections and
withdrawals, merging and splitting stories, a phone's screen; hostile source text never runs.
"""

from __future__ import annotations

import re
import time
from typing import Any

import desk
import httpx
import pytest
from desk import composed, shot, sign_in

pytestmark = pytest.mark.browser
server, chromium, page = desk.server, desk.chromium, desk.page  # the fixtures this module uses


def test_keyboard_triage_bulk_and_a_dense_inbox(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    visible = page.evaluate(
        "[...document.querySelectorAll('.story-row')].filter(r => r.getBoundingClientRect().bottom <= innerHeight)"
        ".length"
    )
    assert visible >= 13  # a laptop screen holds a day's triage at a glance
    shot(page, "inbox")
    assert page.locator("#story-{} .gist".format(ids["payment"])).inner_text().startswith("the Belgorod region")

    page.goto(base + "/inbox?source=svodka")  # triage the filler stories: the other tests need theirs
    rows = page.locator(".story-row")
    first_id = rows.nth(0).get_attribute("id")
    assert page.locator(".story-row.current").get_attribute("id") == first_id
    page.keyboard.press("j")
    second_id = rows.nth(1).get_attribute("id")
    assert page.locator(".story-row.current").get_attribute("id") == second_id
    page.keyboard.press("x")  # skip it, and move on
    page.wait_for_selector(f"#{second_id}.status-skip")
    assert page.locator(".story-row.current").get_attribute("id") == rows.nth(2).get_attribute("id")
    third_id = rows.nth(2).get_attribute("id")
    page.keyboard.press("a")
    page.wait_for_selector(f"#{third_id}.status-brief")
    page.keyboard.press("k")
    page.keyboard.press("s")  # the section picker of the current row takes the focus
    assert page.evaluate("document.activeElement.name") == "section"
    page.select_option(f"#{third_id} select[name=section]", "children")
    page.wait_for_function(f"() => document.querySelector('#{third_id} select[name=section]').value === 'children'")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.locator("dialog#keys").is_visible()
    page.keyboard.press("Escape")

    # select two rows with the space key, then skip both at once
    page.goto(base + "/inbox?source=svodka")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    page.keyboard.press("j")
    page.keyboard.press(" ")
    assert page.inner_text("#bulk .selected-count") == "2 selected"
    page.click("#bulk button.bulk-skip")
    page.wait_for_load_state()
    assert "Skipped" in page.inner_text("nav.tabs")
    assert re.search(r"Skipped (\d+)", page.inner_text("nav.tabs")).group(1) == "3"
    assert page.watch.dialogs == [] and page.watch.errors == []


def test_entries_save_themselves_and_nothing_typed_is_lost(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-03")
    page.fill("input[name=end]", "2024-06-03")
    page.click("button:has-text('Compose draft')")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    composed(page)
    draft_url = page.url
    shot(page, "draft")

    def box(story: str) -> Any:
        return page.locator("article.entry", has=page.locator(f"a[href='/stories/{ids[story]}']"))

    one, two, three = box("payment"), box("sentence"), box("conscripts")
    one.locator("textarea").click()
    page.keyboard.press("Control+A")  # the machine draft is in the box: the editor writes over it
    page.keyboard.type("The Vyorstka media outlet reported that an enlistment office paid a family.")
    two.locator("textarea").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("A court in Perm sentenced a deserter to six years, Mediazona reported.")
    three.locator("textarea").fill("Mothers of conscripts wrote that the voenkomat ignored them.")
    three.locator("textarea").dispatch_event("change")
    apply = three.locator("li.code-untranslated button.apply")
    apply.wait_for()
    apply.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => t.value.includes('military enlistment office'))"
    )
    # the fix in the third entry swapped that entry only: the text typed in the first two is still there
    assert one.locator("textarea").input_value().startswith("The Vyorstka media outlet reported")
    assert two.locator("textarea").input_value().startswith("A court in Perm sentenced a deserter")
    for entry in (one, two):
        entry.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.reload()
    texts = page.locator("textarea").evaluate_all("(ts) => ts.map(t => t.value)")
    assert any(t.startswith("The Vyorstka media outlet reported") for t in texts)
    assert any(t.startswith("A court in Perm sentenced a deserter") for t in texts)
    assert any("military enlistment office ignored them" in t for t in texts)

    # unsaved text: leaving the page asks first (the watcher dismisses the question: we stay)
    box("payment").locator("textarea").press("End")
    box("payment").locator("textarea").type(" More.")
    assert page.evaluate("document.querySelectorAll('[data-entry-box].dirty').length") == 1
    page.watch.dialogs.clear()
    page.click("header.top a[href='/inbox']", no_wait_after=True)
    page.wait_for_function("() => true")
    deadline = time.monotonic() + 5
    while not page.watch.dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert [d.split(":")[0] for d in page.watch.dialogs] == ["beforeunload"]
    assert page.url == draft_url


def test_publish_is_refused_with_an_unchecked_draft_then_corrected_and_withdrawn(
    server: tuple[str, dict[str, int]], page: Any
) -> None:
    base, _ = server
    sign_in(page, base)
    page.goto(base + "/drafts")
    page.fill("input[name=start]", "2024-06-02")
    page.fill("input[name=end]", "2024-06-02")
    page.click("button:has-text('Compose draft')")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    composed(page)
    draft_id = page.url.rsplit("/", 1)[1]
    page.click("#review")
    page.wait_for_url(f"**/drafts/{draft_id}/review")
    assert page.locator(".review-list li.unfinished").count() >= 1
    assert "check the facts" in page.inner_text(".review-list")
    shot(page, "review")
    page.click("#publish")
    page.wait_for_load_state()
    assert "Not published." in page.inner_text("main")  # refused while a draft fails the guard

    # write one entry, leave the others out explicitly, publish
    page.goto(base + f"/drafts/{draft_id}")
    first = page.locator("article.entry").first
    first.locator("textarea").fill("A regional office opened a recruitment point, a Telegram channel reported.")
    first.locator("textarea").dispatch_event("change")
    first.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.goto(base + f"/drafts/{draft_id}/review")
    page.click("button[data-check-all=leave_out]")  # every unfinished entry, never a ready machine draft
    assert page.locator(".review-list input[name=leave_out]:not(:checked)").count() == 0
    assert page.locator("details.machine-drafts input[name=leave_out]").count() >= 1
    assert page.locator("details.machine-drafts input[name=leave_out]:checked").count() == 0
    page.click("details.machine-drafts summary")
    for checkbox in page.locator("input[name=leave_out]").all():
        checkbox.check()
    page.click("#publish")
    page.wait_for_url(re.compile(r".*/briefs/\d+/mobilization-in-russia-for-june-2-2024$"))
    public = page.url
    assert "[To write]" not in page.inner_text("article.brief")
    assert "recruitment point" in page.inner_text("article.brief")

    # correct it: a new version with a visible note, and the feed entry follows
    page.click("button.correct")
    page.wait_for_url(re.compile(r".*/drafts/\d+$"))
    entry = page.locator("article.entry").first
    entry.locator("textarea").fill("A regional office opened two recruitment points, a Telegram channel reported.")
    entry.locator("textarea").dispatch_event("change")
    entry.locator(".save-state .idle", has_text="Saved at").wait_for()
    page.click("#review")
    page.fill("textarea[name=note]", "An earlier version said one recruitment point.")
    page.click("#publish")
    page.wait_for_url(public)
    assert "Corrected on" in page.inner_text("article.brief")
    assert "two recruitment points" in page.inner_text("article.brief")
    feed = httpx.get(base + "/feed.atom").text
    assert "Corrected on" in feed and "An earlier version said one recruitment point." in feed

    # withdraw it: the page and the feed say so
    page.click("summary:has-text('Withdraw this brief')")
    page.fill("form[action$='/withdraw'] textarea[name=note]", "The channel deleted the post as false.")
    page.click("button.withdraw")
    page.wait_for_url(public)
    assert "Withdrawn on" in page.inner_text("article.brief")
    feed = httpx.get(base + "/feed.atom").text
    assert "Withdrawn: Mobilization in Russia for June 2, 2024" in feed
    anonymous = httpx.get(public).text
    assert "The channel deleted the post as false." in anonymous and "two recruitment points" not in anonymous
    assert [e for e in page.watch.errors if "409 (Conflict)" not in e] == []  # the refusal answered 409


def test_merge_and_split_stories(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    # split the football report off the arson story
    page.goto(base + f"/stories/{ids['arson']}")
    page.check(f"#item-{ids['item:football']} input[name=item_ids]")
    page.click("button.split")
    page.wait_for_url(re.compile(r".*/stories/\d+$"))
    split_off = int(page.url.rsplit("/", 1)[1])
    assert split_off != ids["arson"]
    assert page.locator("article.report").count() == 1 and "футболу" in page.inner_text("article.report")
    # merge the English report of the picket into the Russian one
    page.goto(base + f"/stories/{ids['picket']}")
    page.click("summary:has-text('Merge another story')")
    page.select_option("select[name=other]", str(ids["picket-en"]))
    page.click("button.merge")
    page.wait_for_url(base + f"/stories/{ids['picket']}")
    assert page.locator("article.report").count() == 2
    assert "merged story" in page.inner_text(".story-tools")
    shot(page, "story")
    page.goto(base + f"/stories/{ids['picket-en']}")
    assert page.url == base + f"/stories/{ids['picket']}"  # the merged story lives on in the other
    assert page.watch.errors == []


def test_a_phone_sees_every_page_without_sideways_scrolling(server: tuple[str, dict[str, int]], chromium: Any) -> None:
    base, ids = server
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, base)
        for path in ("/inbox", f"/stories/{ids['kaluga']}", "/drafts", "/archive", "/search?q=суд"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            for link in page.locator("header.top nav a").all():
                box = link.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, link.inner_text())
            assert page.locator("header.top button:has-text('Sign out')").is_visible()
        page.goto(base + "/drafts")
        draft = page.locator("ul.listing a").first
        draft.click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "draft-phone")
    finally:
        context.close()


def test_hostile_source_text_is_shown_never_run(server: tuple[str, dict[str, int]], page: Any) -> None:
    base, ids = server
    sign_in(page, base)
    page.goto(base + f"/stories/{ids['hostile']}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1;" in page.inner_text(".source-text")
    assert page.locator(".report a[href^='javascript:']").count() == 0
    assert page.locator(".source-text img").count() == 0
    assert page.watch.dialogs == []
    assert not [e for e in page.watch.errors if "Content Security Policy" in e]
