from mobrief.enrich import relevance, sections


def test_default_relevance_model_keeps_the_beat_and_drops_the_rest() -> None:
    model = relevance.default_model()
    keep = [
        "Военкомат разослал повестки мобилизованным, а суд приговорил дезертира к пяти годам колонии.",
        "Власти региона подняли единовременную выплату контрактникам до 2 млн рублей.",
    ]
    skip = [
        "Футбольный клуб выиграл матч чемпионата со счётом 3:0, гол забил нападающий.",
        "Силы ПВО сбили беспилотник над нефтеперерабатывающим заводом, сообщил губернатор.",
    ]
    assert all(model.decide(text)[1] for text in keep)
    assert not any(model.decide(text)[1] for text in skip)


def test_training_learns_from_decisions_and_round_trips() -> None:
    text = "Фестиваль кузнечного ремесла собрал мастеров со всей страны"
    examples = relevance.corpus_examples() + relevance.examples_from([(text, True)] * 30, 3.0)
    model = relevance.train(examples, label="test")
    assert model.score(text) > relevance.default_model().score(text)
    again = relevance.RelevanceModel.from_json(model.to_json())
    assert abs(again.score(text) - model.score(text)) < 1e-3
    assert again.version == model.version


def test_cold_start_sections_read_russian_through_the_lexicon() -> None:
    model = sections.cold_start_model()
    assert model.classify("Школьников обязали посещать уроки начальной военной подготовки в Юнармии")[0] == "children"
    assert model.classify("Суд приговорил мужчину к 12 годам за госизмену и дискредитацию армии")[0] == "legal"
    assert model.classify("В военкомате раздают повестки, реклама контрактной службы на билбордах")[0] == "recruitment"


def test_trained_sections_use_archive_words_and_round_trip() -> None:
    examples = [
        ("The governor signed a decree on benefits for families of soldiers", "authorities", 1.0),
        ("Lawmakers passed the bill in the third reading", "authorities", 1.0),
        ("Billboards advertise contract service with a sign-up bonus", "recruitment", 1.0),
        ("Recruiters offered migrants contracts at the enlistment office", "recruitment", 1.0),
    ] * 5
    model = sections.train(examples, label="test")
    key, confidence = model.classify("The bill passed in the third reading after the governor's decree")
    assert key == "authorities"
    assert 0 < confidence <= 1
    again = sections.SectionModel.from_json(model.to_json())
    assert again.classify("Billboards advertise a sign-up bonus")[0] == "recruitment"
    assert model.trained_on == {"authorities": 10, "recruitment": 10}


def test_russian_text_is_read_through_the_archive_concepts_where_the_russian_reports_say_nothing() -> None:
    english = [("Schoolchildren attend military training lessons with Yunarmia instructors", "children", 1.0)] * 20
    russian = [("Губернатор подписал указ о выплатах семьям", "authorities", 1.0)] * 2
    model = sections.train(english + russian, label="test")
    assert model.russian is not None
    assert model.classify("Школьников обязали посещать уроки в Юнармии")[0] == "children"


def test_the_words_of_sectioned_russian_reports_add_to_the_concepts() -> None:
    english = [("Schoolchildren attend military training lessons with Yunarmia instructors", "children", 1.0)] * 20
    text = "Депутат заявил, что школьников обязали посещать уроки в Юнармии"
    alone = sections.train(english, label="test")
    assert alone.russian is None and alone.classify(text)[0] == "children"
    # editors put this report under authorities twice: its speaker's words now outweigh the archive's concepts
    model = sections.train(english + [(text, "authorities", 1.0)] * 2, label="test")
    assert model.classify(text)[0] == "authorities"
    again = sections.SectionModel.from_json(model.to_json())
    assert again.classify(text) == model.classify(text)
    older = sections.SectionModel.from_json({k: v for k, v in model.to_json().items() if k != "russian"})
    assert older.russian is None and older.classify(text)[0] in sections.SECTIONS  # models stored before still load


def test_the_shipped_models_load_and_keep_the_beat() -> None:
    model = sections.default_model()
    assert model.version.startswith("default") and model.full.log_prob
    assert relevance.default_model().decide("The court sentenced a deserter to five years in a penal colony")[1]
