"""Clustering in memory: copies, near-copies, retellings, look-alike events kept apart, the window."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest
from story_reports import ARREST, LIPETSK, REPORTS, SAMARA, TAMBOV, Report, enriched

from mobrief.stories import clustering, same_event, signatures


def _partition(reports: list[Report], assignments: list[clustering.Assignment]) -> set[frozenset[str]]:
    by_id = {i + 1: r.key for i, r in enumerate(reports)}
    groups: dict[int, set[str]] = {}
    for a in assignments:
        groups.setdefault(a.story_key, set()).add(by_id[a.item_id])
    return {frozenset(g) for g in groups.values()}


def _cluster(reports: list[Report], **changes: object) -> list[clustering.Assignment]:
    sigs = [signatures.sign_item(enriched(r, i + 1, **changes)) for i, r in enumerate(reports)]
    return clustering.cluster_signatures(sigs)


def test_reports_of_one_event_join_and_events_of_one_kind_stay_apart() -> None:
    groups = _partition(REPORTS, _cluster(REPORTS))
    assert groups == {
        frozenset({"tambov-1", "tambov-2"}),
        frozenset({"lipetsk-1", "lipetsk-2"}),
        frozenset({"sentence-1", "sentence-2"}),
        frozenset({"football"}),
    }


def test_without_enrichment_reports_of_one_event_still_join() -> None:
    # words alone join retellings; telling look-alike events apart needs the places enrichment finds
    groups = _partition(REPORTS, _cluster(REPORTS, places=(), entities=()))
    for event in {r.event for r in REPORTS}:
        keys = {r.key for r in REPORTS if r.event == event}
        assert any(keys <= g for g in groups), event
    assert frozenset({"football"}) in groups


def test_exact_url_and_text_copies_join_with_their_method() -> None:
    first = REPORTS[0]
    same_url = Report(**{**first.__dict__, "key": "copy-url", "source": "Агрегатор", "text": "Другой текст " * 10})
    same_text = Report(
        **{**first.__dict__, "key": "copy-text", "source": "Канал", "url": "https://t.me/some_channel/77"}
    )
    assignments = _cluster([first, same_url, same_text])
    assert [a.method for a in assignments] == ["new", "exact-url", "text-hash"]
    assert len({a.story_key for a in assignments}) == 1


def test_near_copy_joins_by_minhash() -> None:
    first = REPORTS[0]
    repost = Report(
        **{
            **first.__dict__,
            "key": "repost",
            "source": "Репост-канал",
            "url": "https://t.me/reposts/9",
            "text": "Срочно! " + first.text + " Подписывайтесь на канал.",
        }
    )
    assignments = _cluster([first, repost])
    assert assignments[1].method == "minhash"
    assert assignments[1].story_key == assignments[0].story_key


def test_an_item_outside_the_window_starts_a_new_story() -> None:
    first = REPORTS[0]
    late = Report(**{**first.__dict__, "key": "late", "url": "https://other.example/late", "hours": 1 + 73})
    assignments = _cluster([first, late])
    assert assignments[1].created and assignments[1].story_key != assignments[0].story_key


def test_the_window_holds_only_recent_stories() -> None:
    clusterer = clustering.StoryClusterer(window=dt.timedelta(hours=72))
    old = [signatures.sign_item(enriched(r, i + 1)) for i, r in enumerate(REPORTS)]
    for sig in old:
        clusterer.assign(sig)
    assert len(clusterer.stories) == 4
    later = signatures.sign_item(enriched(ARREST, 99, published_at=REPORTS[-1].published_at + dt.timedelta(days=4)))
    clusterer.assign(later)
    assert list(clusterer.stories) == [5]  # the four old stories left the window


def test_profile_reloads_exactly() -> None:
    sigs = [signatures.sign_item(enriched(r, i + 1)) for i, r in enumerate(REPORTS[:2])]
    profile = same_event.StoryProfile.start(7, sigs[0])
    profile.add(sigs[1])
    again = same_event.StoryProfile.from_json(7, profile.first_seen, profile.last_seen, profile.to_json())
    assert again.to_json() == profile.to_json()
    probe = signatures.sign_item(enriched(REPORTS[2], 3))
    assert same_event.score_match(probe, again) == same_event.score_match(probe, profile)


def test_story_title_section_places_and_outlets() -> None:
    sigs = [signatures.sign_item(enriched(r, i + 1)) for i, r in enumerate(REPORTS[:2])]
    profile = same_event.StoryProfile.start(1, sigs[0])
    profile.add(sigs[1])
    assert profile.title.startswith("Власти Тамбовской области увеличили")
    assert profile.section == "recruitment"
    assert profile.place_list() == ["the Tambov region"]
    assert profile.outlets == ["Вести Тамбов", "Тамбовская жизнь"]


def test_conflicting_regions_lower_the_score() -> None:
    tambov, lipetsk = (signatures.sign_item(enriched(r, i + 1)) for i, r in enumerate(REPORTS[1:3]))
    profile = same_event.StoryProfile.start(1, signatures.sign_item(enriched(REPORTS[0], 9)))
    same = same_event.score_match(tambov, profile)
    other = same_event.score_match(lipetsk, profile)
    assert same.shared_places == ("tambov-region",) and same.score > same_event.DEFAULT_WEIGHTS.threshold
    assert "places" in other.conflicts and other.score < same_event.DEFAULT_WEIGHTS.threshold


# A payment rise told twice, and a follow-up that retells its sum and region in new words (queues at the
# recruiting points), as the demo's channel tells the Belgorod rise.
RAISED = [
    Report(
        key="raised-1",
        event="raised",
        source="Сводка",
        url="https://t.me/svodka/10",
        hours=1,
        places=(TAMBOV,),
        text="На Тамбовщине увеличили разовую выплату тем, кто заключит контракт с Минобороны: теперь вместо "
        "1,2 млн рублей добровольцы получат 3 млн. Постановление подписал губернатор.",
    ),
    Report(
        key="raised-2",
        event="raised",
        source="Областная газета",
        url="https://gazeta.example/news/1",
        hours=3,
        places=(TAMBOV,),
        text="Власти Тамбовской области увеличили единовременную выплату заключившим контракт с Минобороны: "
        "раньше добровольцы получали 1,2 млн рублей, теперь — 3 млн. Для сравнения, в Воронежской области "
        "региональная выплата составляет 500 000 рублей.",
    ),
]
QUEUES = Report(
    key="queues",
    event="raised",
    source="Сводка",
    url="https://t.me/svodka/11",
    hours=26,
    places=(TAMBOV,),
    text="На Тамбовщине после повышения выплаты до 3 млн рублей в пунктах отбора на контракт выстроились "
    "очереди, пишет местный паблик. В военкомате это не комментируют.",
)


def test_a_shared_sum_needs_less_backing_from_the_words_than_a_shared_place() -> None:
    story = same_event.StoryProfile.start(1, signatures.sign_item(enriched(RAISED[0], 1)))
    story.add(signatures.sign_item(enriched(RAISED[1], 2)))
    queues = signatures.sign_item(enriched(QUEUES, 3))
    # words half as alike as names need: the region counts in part, the sum in full
    weights = same_event.MatchWeights(evidence_lexical=0.5)
    match = same_event.score_match(queues, story, weights=weights)
    assert match.shared_numbers == ("3e+06",) and match.shared_places == ("tambov-region",)
    assert 0.25 <= match.lexical < 0.5
    without_sum = same_event.score_match(queues, story, weights=dataclasses.replace(weights, number=0.0))
    without_place = same_event.score_match(queues, story, weights=dataclasses.replace(weights, place=0.0))
    assert match.score - without_sum.score == pytest.approx(weights.number)
    assert match.score - without_place.score == pytest.approx(weights.place * match.lexical / 0.5)
    # with the usual weights the follow-up joins its story; told of another region it stays apart
    assert same_event.score_match(queues, story).score > same_event.DEFAULT_WEIGHTS.threshold
    elsewhere = dataclasses.replace(QUEUES, text=QUEUES.text.replace("На Тамбовщине", "В Липецкой области"))
    other = same_event.score_match(signatures.sign_item(enriched(elsewhere, 4, places=(LIPETSK,))), story)
    assert "places" in other.conflicts and other.score < same_event.DEFAULT_WEIGHTS.threshold
    groups = _partition([*RAISED, QUEUES], _cluster([*RAISED, QUEUES]))
    assert groups == {frozenset({"raised-1", "raised-2", "queues"})}


def test_number_keys_keep_amounts_and_articles_but_not_days_or_years() -> None:
    keys = signatures.number_keys("21 сентября 2022 года: 2,1 млн рублей, 400 тыс., статья 352.1, 15%")
    assert keys == {"2.1e+06", "400000", "352.1", "15%"}


def test_title_skips_a_pages_date_line() -> None:
    item = enriched(REPORTS[0], 1, text="16+\nPosted 30 января, 12:27\n" + REPORTS[0].text)
    assert signatures.title_of(item).startswith("Власти Тамбовской области")


def test_protagonists_are_people_in_the_headline_or_named_twice() -> None:
    text = "Володин раскритиковал законопроект. Картаполов промолчал. Позже Володина поддержали депутаты."
    stems = {"person:volodin": "володин", "person:kartapolov": "картаполов"}
    found = signatures.protagonists(stems, text, "Володин раскритиковал")
    assert found == {"person:volodin"}


def test_an_item_about_someone_else_is_held_back() -> None:
    story = enriched(REPORTS[4], 1)  # the sentence of Pushkaryov
    other = enriched(
        REPORTS[5],
        2,
        text="Суд в Самаре приговорил Ивана Сидорова к шести годам колонии за антивоенные надписи. "
        "Сидоров вину не признал.",
        entities=({"kind": "person", "text": "Иван Сидоров", "normalized": "Иван Сидоров", "latin": ""},),
    )
    profile = same_event.StoryProfile.start(1, signatures.sign_item(story))
    match = same_event.score_match(signatures.sign_item(other), profile)
    assert "protagonists" in match.conflicts
    assert match.score < same_event.DEFAULT_WEIGHTS.threshold


def test_indexes_kept_up_item_by_item_equal_indexes_built_afresh() -> None:
    """Assignment updates the window's indexes by what changed; they must equal a rebuild from the profiles."""
    clusterer = clustering.StoryClusterer()
    for n, report in enumerate(REPORTS, start=1):
        clusterer.assign(signatures.sign_item(enriched(report, n)))
    rebuilt = clustering.StoryClusterer()
    rebuilt.load(clusterer.stories.values())
    assert clusterer._postings == rebuilt._postings
    assert +clusterer._rarity == +rebuilt._rarity  # unary plus drops the zero counts
    assert clusterer._by_key == rebuilt._by_key
    assert clusterer._story_terms == rebuilt._story_terms
    assert clusterer._story_evidence == rebuilt._story_evidence
    assert len(clusterer._slots) == len(rebuilt._slots) == len(clusterer.stories)


def test_a_profile_stored_with_its_terms_as_an_object_loads_the_same() -> None:
    """Profiles written before terms were packed (version 2: a {lemma: weight} object) still reload exactly, in
    their heaviest-first order; version 3 keeps that order even where the database sorts an object's keys."""
    clusterer = clustering.StoryClusterer()
    for n, report in enumerate(REPORTS, start=1):
        clusterer.assign(signatures.sign_item(enriched(report, n)))
    profile = max(clusterer.stories.values(), key=lambda p: p.size)
    stored = profile.to_json()
    assert isinstance(stored["terms"], str) and stored["version"] == same_event.PROFILE_VERSION
    old = {key: value for key, value in stored.items() if key != "term_weights"}
    old |= {"version": 2, "terms": dict(profile.term_sum)}
    for data in (stored, old):
        again = same_event.StoryProfile.from_json(profile.key, profile.first_seen, profile.last_seen, data)
        assert list(again.term_sum.items()) == list(profile.term_sum.items())
        assert again.to_json() == stored
    empty = same_event.StoryProfile(key=1, first_seen=profile.first_seen, last_seen=profile.last_seen)
    assert same_event.StoryProfile.from_json(1, profile.first_seen, profile.last_seen, empty.to_json()).term_sum == {}


def test_a_profile_stored_with_its_vector_as_a_list_loads_the_same() -> None:
    """Profiles written before the vector was stored as base64 (version 1) still reload exactly."""
    clusterer = clustering.StoryClusterer()
    for n, report in enumerate(REPORTS[:2], start=1):
        clusterer.assign(signatures.sign_item(enriched(report, n)))
    profile = next(iter(clusterer.stories.values()))
    assert profile.vector_sum is not None
    stored = profile.to_json()
    assert isinstance(stored["vector"], str)
    old = stored | {"version": 1, "vector": [float(x) for x in profile.vector_sum]}
    again = same_event.StoryProfile.from_json(profile.key, profile.first_seen, profile.last_seen, old)
    assert again.vector_sum is not None and again.vector_sum.tobytes() == profile.vector_sum.tobytes()
    assert again.to_json() == stored


def _synthetic_stream(count: int, seed: int = 3) -> list[signatures.ItemSignature]:
    """Items of events with 1–3 reports each, several an hour for days: the window fills, and stories leave it
    while a look-ahead's items are still being assigned."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    items: list[signatures.ItemSignature] = []
    event = 0
    while len(items) < count:
        event += 1
        center = rng.standard_normal(signatures.VECTOR_DIM)
        words = [f"слово{event}_{k}" for k in range(12)]
        for _ in range(int(rng.integers(1, 4))):
            vector = center + 0.6 * rng.standard_normal(signatures.VECTOR_DIM)
            terms = {w: 1.0 / math.sqrt(len(words)) for w in sorted(words)}
            items.append(
                signatures.ItemSignature(
                    item_id=len(items) + 1,
                    published_at=start + dt.timedelta(minutes=10 * len(items) + int(rng.integers(0, 60))),
                    outlet=f"outlet-{rng.integers(20)}",
                    title=f"event {event}",
                    keys=(),
                    sketch=(),
                    terms=terms,
                    vector=(vector / np.linalg.norm(vector)).astype(np.float32),
                    names=frozenset(),
                    name_labels={},
                    people=frozenset(),
                    protagonists=frozenset(),
                    places=frozenset(),
                    regions=frozenset(),
                    place_names={},
                    numbers=frozenset(),
                )
            )
    return sorted(items[:count], key=lambda s: (s.published_at, s.item_id))


def test_assigning_many_at_once_finds_the_nearest_stories_and_the_same_stories_as_one_by_one() -> None:
    """`assign_all` finds nearest stories for 64 items in one product and rescores the rows changed since;
    every item must still get the window's nearest rows, and every item the story `assign` gives it."""
    stream = _synthetic_stream(700)
    clusterer = clustering.StoryClusterer()
    found_ahead = clusterer._nearest_rows
    checked = []

    def checked_nearest(signature: signatures.ItemSignature) -> list[int]:
        rows = found_ahead(signature)
        occupied = [slot for slot, story in enumerate(clusterer._slot_story) if story is not None]
        sims = clusterer._matrix[occupied] @ signature.vector
        nearest = sorted(zip(occupied, sims.tolist(), strict=True), key=lambda row: (-row[1], row[0]))
        assert rows == [slot for slot, _ in nearest[: clustering.VECTOR_CANDIDATES]]
        checked.append(len(clusterer._changed_rows))
        return rows

    clusterer._nearest_rows = checked_nearest  # type: ignore[method-assign]
    together = list(clusterer.assign_all(stream))
    one_by_one_clusterer = clustering.StoryClusterer()
    one_by_one = [one_by_one_clusterer.assign(signature) for signature in stream]
    assert [(a.story_key, a.method) for a in together] == [(a.story_key, a.method) for a in one_by_one]
    assert {"new", "similar"} <= {a.method for a in together}
    assert len(checked) == len(stream) and max(checked) > 20  # rows did change under a look-ahead
    assert len(clusterer.stories) < len({a.story_key for a in together})  # and stories left the window


ENGLISH_SENTENCE = Report(
    key="sentence-en",
    event="sentence",
    source="Mediazona (English)",
    url="https://en.zona.example/2024/06/03/pushkaryov",
    hours=9,
    text=(
        "A court in Samara has sentenced Aleksei Pushkaryov to six years in a penal colony over anti-war graffiti "
        "on the wall of an enlistment office. Pushkaryov, who was under house arrest since February, did not "
        "plead guilty."
    ),
    places=(SAMARA | {"text": "Samara"},),
    entities=(
        {
            "kind": "person",
            "text": "Aleksei Pushkaryov",
            "normalized": "Aleksei Pushkaryov",
            "latin": "Aleksei Pushkaryov",
        },
    ),
    section="legal",
)
ENGLISH_OTHER = Report(
    key="fire-en",
    event="fire",
    source="Wire (English)",
    url="https://wire.example/2024/06/03/fire",
    hours=10,
    text=(
        "A fire broke out in a residential building in the city on Monday, and the firefighters said that the "
        "blaze was put out after two hours. There were no casualties, the emergencies service said in a statement."
    ),
    section=None,
    relevant=False,
)


def test_an_english_report_joins_the_russian_reports_of_its_event() -> None:
    reports = [*REPORTS, ENGLISH_SENTENCE]
    sigs = [
        signatures.sign_item(enriched(r, i + 1, lang="en" if r.key.endswith("-en") else "ru"))
        for i, r in enumerate(reports)
    ]
    groups = _partition(reports, clustering.cluster_signatures(sigs))
    assert frozenset({"sentence-1", "sentence-2", "sentence-en"}) in groups
    english = sigs[-1]
    assert english.script == "en" and english.vector is None
    assert "person:pushkariov" in english.names & sigs[4].names  # one key for both spellings
    assert english.concepts.keys() & sigs[4].concepts.keys()  # the kind of event, named in either language


def test_english_reports_that_share_only_common_words_stay_apart() -> None:
    reports = [ENGLISH_SENTENCE, ENGLISH_OTHER]
    sigs = [signatures.sign_item(enriched(r, i + 1, lang="en")) for i, r in enumerate(reports)]
    groups = _partition(reports, clustering.cluster_signatures(sigs))
    assert groups == {frozenset({"sentence-en"}), frozenset({"fire-en"})}
    assert not {"the", "was", "on", "in", "a"} & (sigs[0].terms.keys() | sigs[1].terms.keys())


def test_latin_surname_keys_meet_across_spellings() -> None:
    key = signatures.latin_surname_key
    assert key("Khabirov") == key("Habirov")
    assert key("Shoygu") == key("Shoigu")
    assert key("Kartapolova") == key("Kartapolov")
    assert key("Dmitryev") == key("Dmitriev")
    assert key("Pushkaryov") != key("Pushkin")


def test_english_thousands_are_the_numbers_russian_reports_write() -> None:
    assert signatures.number_keys("600,000 soldiers") == signatures.number_keys("600 000 военных") == {"600000"}
    assert signatures.number_keys("2,8 млн рублей") == {"2.8e+06"}


def test_a_story_shows_the_section_most_votes_name_and_the_first_by_name_on_a_tie() -> None:
    assert same_event.voted_section({"legal": 4, "soldiers": 1}) == "legal"
    assert same_event.voted_section({"legal": 2, "authorities": 2, "soldiers": 1}) == "authorities"
    assert same_event.voted_section({}) is None
