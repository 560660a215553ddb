import math

import pytest

from mobrief.enrich import sections


def test_term_weights_favour_rare_features_and_fix_the_length() -> None:
    documents = [{"w:region": 1.0, "w:decree": 1.0}, {"w:region": 1.0}, {"w:region": 1.0, "w:bonus": 1.0}]
    weights = sections.fit_term_weights(documents)
    assert weights.idf["w:region"] < weights.idf["w:decree"] < weights.unseen
    vector = weights.apply({"w:region": 1.0, "w:decree": 1.0, "w:never_seen": 1.0})
    assert vector["w:region"] < vector["w:decree"] < vector["w:never_seen"]
    assert math.sqrt(sum(v * v for v in vector.values())) == pytest.approx(sections.VECTOR_LENGTH)
    assert weights.apply({}) == {}


def test_words_every_paragraph_uses_do_not_outvote_a_distinctive_one() -> None:
    # "city" is in every paragraph but far more common under authorities; "pamphlet" only ever meant recruitment.
    # Plain counts (no term weights) put this text under authorities.
    examples = [
        ("The city city council met", "authorities", 1.0),
        ("The city city mayor spoke", "authorities", 1.0),
    ] * 10 + [("The city handed out a pamphlet", "recruitment", 1.0)] * 5
    model = sections.train(examples, label="test")
    assert model.classify("The city city city city pamphlet")[0] == "recruitment"


def test_weights_round_trip_and_older_models_still_load() -> None:
    examples = [
        ("The governor signed a decree on benefits for families of soldiers", "authorities", 1.0),
        ("Billboards advertise contract service with a sign-up bonus", "recruitment", 1.0),
    ] * 3
    model = sections.train(examples, label="test")
    assert model.weights is not None
    data = model.to_json()
    again = sections.SectionModel.from_json(data)
    assert again.weights is not None
    assert again.weights.idf.keys() == model.weights.idf.keys()
    text = "The governor's decree on a sign-up bonus"
    assert again.classify(text) == model.classify(text)
    older = sections.SectionModel.from_json({k: v for k, v in data.items() if k != "weights"})
    assert older.weights is None
    assert older.classify(text)[0] in sections.SECTIONS


def test_cold_start_has_no_term_weights() -> None:
    assert sections.cold_start_model().weights is None


def test_model_version_follows_the_training_recipe(monkeypatch: pytest.MonkeyPatch) -> None:
    examples = [("Lawmakers passed the bill", "authorities", 1.0)]
    before = sections.train(examples, label="test").version
    monkeypatch.setattr(sections, "VERSION", "sections-test")
    assert sections.train(examples, label="test").version != before


def test_an_item_of_a_list_leans_to_where_the_archive_printed_lists() -> None:
    # every listed item stood under authorities (a law signed, a budget line); a bonus otherwise meant recruitment
    examples = [
        ("- A law on payments to families", "authorities", 1.0),
        ("• A law extending the draft age", "authorities", 1.0),
        ("Governors signed decrees", "authorities", 1.0),
    ] * 2
    examples += [("A recruitment ad offers a bonus", "recruitment", 1.0), ("Billboards call", "recruitment", 1.0)] * 6
    model = sections.train(examples, label="test")
    assert sections.layout_features("- A bonus") == {"s:list": 1.0}
    assert sections.layout_features("A bonus - paid in June") == {}
    plain, listed = model.classify("A bonus"), model.classify("- A bonus")
    assert plain[0] == "recruitment"
    assert listed[0] == "authorities" or listed[1] < plain[1] - 0.2
