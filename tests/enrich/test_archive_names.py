from mobrief.enrich import archive_names
from mobrief.records import Mention

PARAGRAPHS = [
    "Deputy Mayor Anastasia Rakova said that families applied for payments. Sergei Gordeev agreed.",
    "Anastasia Rakova repeated it later; Sergei Shoigu did not comment. The State Duma passed the bill.",
    "Crew Against the war was mentioned once, and so was Anastasia Vasilyeva.",
]


def _person(latin: str) -> Mention:
    return Mention(kind="person", text="—", normalized="—", latin=latin)


def test_people_the_archive_printed_keep_its_spelling() -> None:
    names = archive_names.read_names(PARAGRAPHS)
    respelled = names.respell([_person("Anastasiya Rakova"), _person("Sergey Shoygu"), _person("Ivan Petrov")])
    assert [m.latin for m in respelled] == ["Anastasia Rakova", "Sergei Shoigu", "Ivan Petrov"]


def test_only_names_with_a_first_name_seen_twice_are_read() -> None:
    names = archive_names.read_names(PARAGRAPHS)
    assert "Crew Against" not in names.by_key.values()
    assert "Anastasia Rakova" in names.by_key.values()


def test_a_name_printed_in_two_paragraphs_keeps_its_spelling_though_no_other_name_shares_its_first() -> None:
    texts = [
        "Radiy Khabirov promised the volunteers a bonus. Yesterday Khabirov spoke in Ufa.",
        "Radiy Khabirov signed the decree; the Communist Party welcomed it.",
        "The Communist Party and Novaya Gazeta wrote of the party line; Novaya Gazeta was quoted again.",
        "Novaya Gazeta reported that Speaker Vyacheslav agreed. Vyacheslav Volodin did, and Vyacheslav Lebedev not.",
        "Speaker Vyacheslav repeated it.",
    ]
    names = archive_names.read_names(texts)
    respelled = names.respell([_person("Rady Khabirov")])
    assert [m.latin for m in respelled] == ["Radiy Khabirov"]
    printed = set(names.by_key.values())
    assert "Yesterday Khabirov" not in printed  # printed once, and "Yesterday" starts no other name
    assert not printed & {"Communist Party", "Novaya Gazeta", "Speaker Vyacheslav"}  # words, or a title
    assert {"Vyacheslav Volodin", "Vyacheslav Lebedev"} <= printed


def test_a_name_after_a_run_of_titles_is_read_and_the_titles_are_not() -> None:
    texts = [
        "Governor Radiy Khabirov said the quota was met; Deputy Prime Minister Denis Manturov agreed.",
        "On Monday Governor Radiy Khabirov spoke again, and Prime Minister Denis Manturov did not.",
        "The Duma Defense Committee Andrey spoke; Committee Andrey again; Minister Dmitry Medvedev said so.",
    ]
    printed = set(archive_names.read_names(texts).by_key.values())
    assert {"Radiy Khabirov", "Denis Manturov"} <= printed  # no longer paired off as "Governor Radiy"
    assert not printed & {"Governor Radiy", "Minister Denis", "Minister Dmitry", "Committee Andrey"}


def test_spelling_keys_fold_transliterations_but_keep_people_apart() -> None:
    key = archive_names.spelling_key
    assert key("Rady Khabirov") == key("Radii Habirov")
    assert key("Anastasiya Rakova") == key("Anastasia Rakova")
    assert key("Sergei Shoigu") != key("Sergei Gordeev")
    assert key("Aleksandr Khinshteyn") == key("Alexander Khinshtein")  # the press's "-er", "ei" for «-ей»
    assert key("Pyotr Solovyov") == key("Petr Soloviev") == key("Pyotr Solovyev")  # ё as "yo" or "e"
    assert key("Dalerdzhon Mirzoyev") == key("Dalerdjon Mirzoev")
    assert key("Anna Ivanova") != key("Yana Ivanova") and key("Oleg Ivanov") != key("Olga Ivanova")


def test_a_person_the_archive_printed_once_keeps_its_spelling() -> None:
    texts = ["Muhammadsobir Fayzov was detained, the court said.", "Elena Ivanova and Elena Petrova spoke."]
    names = archive_names.read_names(texts)
    assert "Muhammadsobir Fayzov" not in names.by_key.values()  # too little to read it as a name by itself...
    respelled = names.respell([_person("Mukhammadsobir Fayzov"), _person("Elena Fayzova")])
    assert [m.latin for m in respelled] == ["Muhammadsobir Fayzov", "Elena Fayzova"]  # ...but a person meets it


def test_between_spellings_printed_alike_the_house_form_stays() -> None:
    names = archive_names.read_names(["Alexander Beglov and Aleksandr Beglov", "Alexander Bastrykin"] * 2)
    respelled = names.respell([_person("Aleksandr Beglov"), _person("Aleksandr Bastrykin")])
    assert [m.latin for m in respelled] == ["Aleksandr Beglov", "Alexander Bastrykin"]


def test_the_shipped_names_load() -> None:
    assert len(archive_names.shipped().by_key) > 100


def test_a_surname_the_archive_prints_alone_is_the_house_short_form() -> None:
    texts = ["Vladimir Putin signed it. Sergei Shoigu, Vladimir Kolokoltsev and Sergei Lavrov agreed."]
    texts += ["Later, Putin said more."] * 3
    names = archive_names.read_names(texts)
    assert names.alone == {"Putin"}  # Shoigu was printed alone nowhere
    putin = Mention(kind="person", text="Владимир Путин", normalized="Владимир Путин", latin="Vladimir Putin")
    found = names.respell([putin, _person("Sergei Shoigu")])
    assert [m.latin for m in found] == ["Vladimir Putin", "Sergei Shoigu", "Putin"]
    assert found[-1].normalized == "Путин"


def test_the_archive_reads_names_back_into_cyrillic_as_the_english_path_does() -> None:
    reads_as = archive_names.entities.reads_as_russian
    assert reads_as("Radiy", "Name", known=True) and reads_as("Georgiy", "Name", known=True)  # «-ий» letter by letter
    assert not reads_as("Committee", "Name", known=True)
    word = archive_names.entities.reads_as_russian_word
    assert word("Novaya") and not word("Radiy") and not word("Khabirov")  # «Рады» is no reading of "Radiy"
