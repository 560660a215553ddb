"""Searching reports, stories and published paragraphs (both backends): morphology in Russian and English, Latin and
Cyrillic spellings of a name, what links a hit, marks of the matched words, and paging."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from factories import add_story, make_item
from mobrief.records import Brief, BriefSection
from mobrief.store import Store, search
from mobrief.store.schema import brief_paragraphs
from mobrief.store.search_hits import find_marks, make_snippet


def _marked(text: str, marks: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in marks]


def test_russian_inflections_find_the_same_reports(store: Store) -> None:
    store.items.upsert(
        [
            make_item(1, text="Жители жаловались на военкоматы района."),
            make_item(2, text="У здания военкомата собрались матери."),
            make_item(3, text="В городе открыли парк."),
        ],
        kind="test",
    )
    one = {h.item.external_id for h in store.search.reports("военкомат").hits}
    many = {h.item.external_id for h in store.search.reports("военкоматы").hits}
    assert one == many == {"1", "2"}


def test_latin_and_cyrillic_spellings_of_a_name_find_each_other(store: Store) -> None:
    store.items.upsert(
        [
            make_item(1, text="Суд приговорил Алексея Пушкарева к шести годам.", lang="ru"),
            make_item(2, text="A court sentenced Alexei Pushkaryov to six years.", lang="en"),
            make_item(3, text="Пушкин и Пушкарь не при чём.", lang="ru"),
        ],
        kind="test",
    )
    for query in ("Pushkaryov", "Пушкарев", "Пушкарёва", "Pushkarev"):
        assert {h.item.external_id for h in store.search.reports(query).hits} == {"1", "2"}, query
    hit = next(h for h in store.search.reports("Pushkaryov").hits if h.item.external_id == "1")
    assert _marked(hit.item.text, hit.text_marks) == ["Пушкарева"]


def test_english_inflections_find_each_other_but_not_other_words(store: Store) -> None:
    store.items.upsert(
        [
            make_item(1, text="Police detained three protesters.", lang="en"),
            make_item(2, text="The governor detains nobody.", lang="en"),
            make_item(3, text="New rules for the draft.", lang="en"),
            make_item(4, text="The news came late.", lang="en"),
        ],
        kind="test",
    )
    assert {h.item.external_id for h in store.search.reports("detaining").hits} == {"1", "2"}
    assert {h.item.external_id for h in store.search.reports("news").hits} == {"4"}
    assert {h.item.external_id for h in store.search.reports("new").hits} == {"3"}


def test_report_hits_link_their_story_and_mark_matches(store: Store) -> None:
    story_id = add_story(store, [make_item(1, title="Повестки в Казани", text="Военкомат разослал повестки.")])
    store.items.upsert([make_item(2, text="Повестку принесли домой.")], kind="test")
    page = store.search.reports("повестка")
    by_external = {h.item.external_id: h for h in page.hits}
    assert by_external["1"].story_id == story_id and by_external["2"].story_id is None
    first = by_external["1"]
    assert _marked(first.item.title, first.title_marks) == ["Повестки"]
    assert _marked(first.item.text, first.text_marks) == ["повестки"]
    assert _marked(first.snippet.text, first.snippet.marks) == ["повестки"]


def test_pages_follow_each_other_without_gaps_or_repeats(store: Store) -> None:
    items = [make_item(n, text=f"Повестка номер {n} " + "повестка " * (n % 3)) for n in range(1, 31)]
    store.items.upsert(items, kind="test")
    whole = [h.item.id for h in store.search.reports("повестка", limit=100).hits]
    assert len(whole) == 30
    pages, offset = [], 0
    while True:
        page = store.search.reports("повестка", limit=7, offset=offset)
        pages += [h.item.id for h in page.hits]
        if not page.has_more:
            break
        offset += 7
    assert pages == whole


def test_ranked_blocks_page_across_their_boundaries() -> None:
    matches = list(range(1000, 0, -1))  # newest first

    def rank_block(skip: int, size: int) -> list[tuple[int, float]]:
        block = matches[skip : skip + size]
        return sorted(((i, float(i % 7)) for i in block), key=lambda p: (-p[1], -p[0]))

    whole = search.ranked_page(rank_block, limit=1000, offset=0, block=64)
    assert sorted(i for i, _ in whole) == sorted(matches)
    for limit, offset in ((10, 60), (64, 64), (100, 30), (5, 995), (10, 1000)):
        assert search.ranked_page(rank_block, limit=limit, offset=offset, block=64) == whole[offset : offset + limit]


def test_story_hits_are_newest_first_with_their_matching_reports(store: Store) -> None:
    old = add_story(store, [make_item(1, text="Дезертира задержали."), make_item(2, text="Дезертиры бежали.")])
    new = add_story(store, [make_item(3, text="Ещё один дезертир.")])
    add_story(store, [make_item(4, text="Ничего общего.")])
    page = store.search.stories("дезертир")
    assert [h.story_id for h in page.hits] == [new, old]
    ids = {i.external_id: i.id for i in store.items.page(limit=10)}
    assert page.hits[1].item_ids == (ids["2"], ids["1"])
    assert _marked(page.hits[0].snippet.text, page.hits[0].snippet.marks) == ["дезертир"]
    assert [h.story_id for h in store.search.stories("дезертир", limit=1, offset=1).hits] == [old]


def test_the_overview_is_each_kind_asked_alone(store: Store) -> None:
    """The search page's first view shares one read of the newest matches: the same hits as three searches."""
    n = 0
    for size in [1, 2, 3] * 40:  # 240 matching reports: more than one block of candidates
        batch = [make_item(n + k, text=f"Повестка {n + k} пришла " + "повестки " * ((n + k) % 4)) for k in range(size)]
        add_story(store, batch, title=f"Повестка номер {n}")
        n += size
    store.items.upsert([make_item(n + k, text=f"Повесток {k} без истории") for k in range(1, 6)], kind="test")
    _publish(store, "May 3–4", dt.date(2024, 5, 4), ("Повестки пришли.", "Nothing here."))
    for text in ("повестка", "повестка пришла", "Pushkaryov", "", "история"):
        for limit in (3, 8):
            seen = store.search.overview(text, limit=limit)
            assert seen.reports == store.search.reports(text, limit=limit), (text, limit)
            assert seen.stories == store.search.stories(text, limit=limit), (text, limit)
            assert seen.paragraphs == store.search.paragraphs(text, limit=limit), (text, limit)
    assert len(store.search.overview("повестка", limit=8).stories.hits) == 8


def _publish(store: Store, title: str, end: dt.date, paragraphs: tuple[str, ...], status: str = "published") -> int:
    brief = Brief(
        title=title,
        period_start=end - dt.timedelta(days=1),
        period_end=end,
        status=status,
        sections=(BriefSection(key="authorities", heading="Authorities", paragraphs=paragraphs),),
    )
    return store.briefs.save(brief)[0]


def test_paragraph_search_has_morphology_and_links_the_paragraph(store: Store) -> None:
    old = _publish(store, "May 1–2", dt.date(2024, 5, 2), ("Summonses went out.", "The voenkomat [военкомат] closed."))
    new = _publish(store, "May 3–4", dt.date(2024, 5, 4), ("Three военкоматы were set on fire.",))
    _publish(store, "Draft", dt.date(2024, 5, 6), ("A draft about военкоматов.",), status="draft")
    page = store.search.paragraphs("военкоматы")
    assert [(h.brief_id, h.section_position, h.paragraph_position) for h in page.hits] == [(new, 0, 0), (old, 0, 1)]
    assert _marked(page.hits[1].text, page.hits[1].marks) == ["военкомат"]
    assert [h.brief_id for h in store.search.paragraphs("summons").hits] == [old]


def test_paragraph_search_follows_edits_and_deletions(store: Store) -> None:
    brief_id = _publish(store, "May 1–2", dt.date(2024, 5, 2), ("Police detained a deserter.",))
    assert [h.brief_id for h in store.search.paragraphs("deserters").hits] == [brief_id]
    with store.engine.begin() as conn:
        conn.execute(sa.update(brief_paragraphs).values(text="Police released a conscript."))
    assert store.search.paragraphs("deserter").hits == ()
    assert [h.brief_id for h in store.search.paragraphs("conscripts").hits] == [brief_id]
    store.briefs.delete(brief_id)
    assert store.search.paragraphs("conscript").hits == ()


def test_empty_and_syntax_like_queries_find_nothing_and_do_not_raise(store: Store) -> None:
    store.items.upsert([make_item(1, text='Цитата "в кавычках" и OR NEAR *')], kind="test")
    for query in ("", "   ", '"', "OR", "NEAR(", "*", "'; DROP TABLE items; --", "!!!"):
        store.search.reports(query)
        store.search.stories(query)
        store.search.paragraphs(query)
    assert store.search.reports("").hits == ()
    assert [h.item.external_id for h in store.search.reports('"кавычки"').hits] == ["1"]


@given(st.text(max_size=300), st.integers(min_value=20, max_value=400))
def test_a_snippet_keeps_the_marked_words_it_shows(text: str, width: int) -> None:
    query = search.parse_query("военкомат повестка")
    marks = find_marks(text, query)
    snippet = make_snippet(text, marks, width)
    assert [snippet.text[a:b] for a, b in snippet.marks] == [text[a:b] for a, b in marks][: len(snippet.marks)]
    assert len(snippet.text) <= width + 2
