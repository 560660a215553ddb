"""One English clause per kind of event, in the house voice, from a sentence's slots: "A court in Kursk has
sentenced …", "Relatives of mobilized soldiers have held a protest …". A writer returns None when the slots do not
say enough, so nothing is guessed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from mobrief.brief.drafting import units
from mobrief.brief.drafting.sentence_slots import Slots, readings


def _actor(s: Slots) -> str | None:
    """The first person the sentence names as its subject."""
    return next((p for p, nominative in zip(s.people, s.subjects, strict=True) if nominative), None)


def and_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _who(slots: Slots, default: str = "a man") -> str:
    if slots.people:
        return slots.people[0]
    return _unnamed(slots, default)


def _from(who: str, where: str) -> str:
    """A person with where they are from, inside their appositive: "Sergey Chebnev, a mobilized soldier from the
    Kursk region,"."""
    return f"{who[:-1]}{where}," if who.endswith(",") else f"{who}{where}"


def _unnamed(slots: Slots, default: str) -> str:
    age = slots.ages[0] if slots.ages else None
    role = next((r for r in slots.roles if r[0].islower()), None)
    if age and role:
        return f"a {age}-year-old {role}"
    if role:
        return f"a {role}"
    if age:
        return f"a {age}-year-old man" if default == "a man" else f"{default}, {age},"
    return default


def _charges(charges: Sequence[str]) -> str:
    """ " on charges of treason (Article 275 of the Criminal Code)", " under Article 20.3.3 of the Code of …": an
    article whose charge the book lacks is cited by its number alone."""
    named = [c for c in charges[:2] if not c.startswith("Article ")]
    bare = [c for c in charges[:2] if c.startswith("Article ")]
    parts = ([f"on charges of {and_list(named)}"] if named else []) + ([f"under {and_list(bare)}"] if bare else [])
    return (" " + " and ".join(parts)) if parts else ""


def _sentence(s: Slots) -> str | None:
    if not (s.terms or s.punishments or s.has("приговорить", "осудить", "приговор")):
        return None
    court = next((i for i in s.institutions if "court" in i.lower()), "a court")
    where = f" in {s.places[0]}" if s.places and court.startswith("a ") else ""
    if True in s.objects:
        defendant: str | None = s.people[s.objects.index(True)]
    else:  # the people named are not the verdict's object (a victim, a lawyer): name nobody
        defendant = None if s.people else _unnamed(s, "a man")
    if defendant is None:
        text = f"{_capital(court)}{where} has handed down a sentence"
        if s.terms:
            text += f" of {s.terms[0]}" + (f" in {s.regimes[0]}" if s.regimes else "")
        elif s.punishments:
            text += f" of {s.punishments[0]}"
    else:
        text = f"{_capital(court)}{where} has sentenced {defendant}"
        if s.has("заочно"):
            text += " in absentia"
        if s.terms:
            text += f" to {s.terms[0]}"
            if s.regimes:
                text += f" in {s.regimes[0]}"
        elif s.punishments:
            text += f" to {s.punishments[0]}"
    return text + _charges(s.charges) + "."


def _arrest(s: Slots) -> str | None:
    who = _who(s, "a man")
    where = f" in {s.places[0]}" if s.places else ""
    charge = _charges(s.charges)
    agency = next((i for i in s.institutions if i in LAW_ENFORCEMENT), None)
    actor = f"{_capital(agency)}{where} has" if agency else f"Law enforcement officers{where} have"
    if s.has("обыск"):
        return f"{actor} searched the home of {who}{charge}."
    if s.has("задержать", "задержание"):
        return f"{actor} detained {who}{charge}."
    if s.has("арестовать", "арест", "сизо"):
        return f"A court{where} has placed {who} under arrest{charge}."
    if s.has("дело") and (s.charges or s.people):
        against = f" against {who}" if s.people or s.roles or s.ages else ""  # no one named: no one invented
        return f"A criminal case{charge} has been opened{against}{where}."
    return None


def _payment(s: Slots) -> str | None:
    if not s.rubles:
        return None
    what = s.payments[0] if s.payments else "the payment"
    if what.startswith("the ") and what.endswith("payment"):  # a bare «выплата»: to whom or for what, if it says
        if _for_signing(s):  # «выплаты подписавшим контракт», «выплаты за контракт»
            ministry = "the Ministry of Defense" in s.institutions + s.venues
            what += " for signing a contract" + (" with the Ministry of Defense" if ministry else "")
        elif s.has("семья"):  # «выплату семьям погибших добровольцев»
            fallen = "fallen " if s.has(*DEATH_WORDS) else ""
            role = next((r for r in s.roles if r[:1].islower() and r not in RELATIVES), None)
            what += f" to the families of {fallen}{role}s" if role else " to families"
    where = f"In {s.places[0]}, " if s.places else ""
    subject = what if where else _capital(what)
    sums = s.stated_sums()
    if not sums:
        return None
    amount, before = sums[0]
    if s.has("увеличить", "повысить", "вырасти", "увеличиться", "повышение", "увеличение", "рост"):
        verb = "has been increased"
    elif s.has("снизить", "сократить", "уменьшить", "снизиться", "снижение", "сокращение"):
        verb = "has been lowered"
    else:  # «с 1,7 млн до 2 млн» with no word for the direction: a change, not a range
        verb = "has been changed" if amount.startswith("from ") else "amounts to"
    # a change states its sum as the report does: "by" for «на 500 тыс.», "to" for «до 2 млн», both ends for «с … до»
    joiner = " " if verb == "amounts to" or amount.startswith("from ") else " by " if before == "на" else " to "
    return f"{where}{subject} {verb}{joiner}{amount}."  # other sums go to the facts sentence


def _for_signing(s: Slots) -> bool:
    """Whether a sentence pays for signing a contract: «контрактникам», «подписавшим/заключившим контракт»."""
    signing = s.has("контракт") and s.has("подписать", "заключить", "заключение")
    return s.has("контрактник") or signing or _phrase(s, ("за", "контракт"))


def is_named_payment(s: Slots) -> bool:
    """Whether a payment sentence says which payment it is on its own (where, or what for): else it reads as the
    payment a draft has just told, which it may not be («размер выплат составляет …» of a land certificate)."""
    return bool(s.places) or any(" for " in p for p in s.payments) or _for_signing(s)


DEATH_WORDS = ("погибнуть", "погибший", "гибель", "убить", "похоронить", "скончаться", "умереть", "смерть")
WOUND_WORDS = ("ранение", "ранить", "раненый")
AT_WAR = ("сво", "спецоперация", "фронт", "война", "боевой", "военнослужащий", "мобилизованный", "мобилизовать",
          "боец", "солдат", "контрактник", "доброволец", "штурмовой", "участник", "зона", "мобилизация")  # fmt: skip


def _beside(s: Slots, start: int, words: Sequence[str], reach: int = 3) -> bool:
    """Whether one of `words` stands within `reach` words of the name that begins at `start`."""
    at = _token_at(s, start)
    return any(w.lemma in words for w in s.span.words[max(0, at - reach) : at + reach + 2])


def _deaths(s: Slots) -> str | None:
    """A soldier killed or wounded in the war: the sentence must say both (a murder at home is no war death)."""
    if not s.has(*DEATH_WORDS, *WOUND_WORDS) or not s.has(*AT_WAR):
        return None
    where = f" from {s.home}" if s.home else ""
    if not s.has(*DEATH_WORDS):  # wounded, not killed: only a person named beside the wound
        hurt = [p for p, start in zip(s.people, s.starts, strict=True) if _beside(s, start, WOUND_WORDS, reach=6)]
        return f"{_from(hurt[0], where)} has been wounded in the war against Ukraine." if hurt else None
    dead = [p for p, start in zip(s.people, s.starts, strict=True) if _beside(s, start, DEATH_WORDS)]
    if dead:
        return f"{_from(dead[0], where)} has been killed in the war against Ukraine."
    if s.counts:
        n = s.counts[0]
        return f"{_capital(units.people(n, 'soldiers' if n != 1 else 'soldier'))}{where} have been killed in the war."
    who = _unnamed(s, "a serviceman")
    return f"{_capital(_from(who, where))} has been killed in the war against Ukraine."


def _pressured(s: Slots) -> str | None:
    """A relative says a soldier is pressed to sign a contract («мать срочника заявила, что её сына заставляют
    подписать контракт»), a complaint the beat hears often."""
    if not (
        s.has("заставлять", "заставить", "уговаривать", "принуждать", "вынуждать", "склонять") and s.has("контракт")
    ):
        return None
    relation = "son" if s.has("сын") else "husband" if s.has("муж") else None
    if relation is None:
        return None
    soldier = "conscript" if s.has("срочник", "срочный") else "soldier"
    speaker = (
        f"the mother of a {soldier}" if s.has("мать") else f"the wife of a {soldier}" if s.has("жена")
        else "a reader" if s.has("читатель", "читательница") else f"a relative of a {soldier}"
    )  # fmt: skip
    her = "her" if s.has("мать", "жена", "читательница") else "their"
    who = _from(speaker, f" from {s.home}" if s.home else "")
    told = f"{her} {relation} is being pressured to sign a contract with the Ministry of Defense"
    return f"{_capital(who)} has said that {told}."


def _appeal(s: Slots) -> str | None:
    pressured = _pressured(s)
    if pressured:
        return pressured
    relatives = s.has("жена", "мать", "родственник", "супруга", "вдова")
    who = (
        f"{_relatives(s)} of mobilized soldiers"
        if relatives and s.has("мобилизовать", "мобилизованный")
        else f"{_relatives(s)} of conscripts"
        if relatives and s.has("срочник", "призывник")
        else f"{_relatives(s)} of soldiers"
        if relatives
        else "mobilized soldiers"
        if s.has("мобилизовать", "мобилизованный")
        else "soldiers"
        if s.has("военнослужащий", "солдат", "боец", "контрактник")
        else "women"
        if s.has("женщина")
        else None
    )
    actor = _actor(s)
    if who is None and actor is None:
        return None
    plural = who is not None
    who = who or actor or ""
    where = f" from {s.home}" if s.home else ""
    have = "have" if plural else "has"
    if s.has("видеообращение") or (s.has("обращение") and s.has("видео", "записать")):
        act = f"{have} recorded a video address"
    elif s.has("митинг", "пикет", "протест", "акция") or _phrase(s, ("встать", "на", "колено"), ("выйти", "к")):
        act = f"{have} held a protest"
    elif s.has("жалоба", "пожаловаться"):
        act = f"{have} complained"
    elif s.has("обращение", "обратиться", "петиция"):
        act = f"{have} appealed"
    elif plural and s.has("требовать", "потребовать") and s.has("встреча"):
        with_whom = f" with {s.people[0]}" if s.people else ""
        return tidy(f"{_capital(_from(who, where))} have demanded a meeting{with_whom}.")
    else:
        return None
    to = ""
    addressee = [n for n in s.names if n not in who]
    if addressee and "protest" not in act:
        to = f" to {addressee[0]}"
    demand = [t for t in s.topics if t in ("demobilization", "rotation", "leave")]
    ask = f", asking for {and_list(demand)}" if demand else ""
    return f"{_capital(_from(who, where))} {act}{to}{ask}."


def _relatives(s: Slots) -> str:
    """Who of a soldier's family speaks: "wives", "mothers" or "widows" when the sentence names one kind alone,
    else "relatives"."""
    kinds = {english for lemmas_, english in RELATIONS if s.has(*lemmas_)}
    return kinds.pop() if len(kinds) == 1 and not s.has("родственник") else "relatives"


RELATIONS = ((("жена", "супруга"), "wives"), (("мать",), "mothers"), (("вдова",), "widows"))


def _law(s: Slots) -> str | None:
    actor = _actor(s) or next((i for i in s.institutions if "court" not in i), None)
    if actor in LEGISLATURES and s.has("депутат"):  # «депутаты Госдумы внесли …»: its members act, not the house
        actor = f"lawmakers in {actor}"
    action = next((a for a in s.actions), None)
    document = s.acted_on[0] if s.acted_on else None
    topics = [t for t in s.topics if t not in (document or "")][:2]
    about = f" on {and_list(topics)}" if topics else ""
    tense = s.tenses[s.actions.index(action)] if action in s.actions else "past"
    if actor is None and document and action in ACTION_VERBS:  # «в Госдуму внесли законопроект», «указ подписан»
        been = {"future": "will be", "planned": "is to be"}.get(tense, "has been")
        venue = f" in {s.venues[0]}" if s.venues and action == "introduced" else ""
        return f"{_capital(document)}{about} {been} {action}{venue}."
    if actor is None:
        return None
    if document and action in ACTION_VERBS:
        return f"{_capital(actor)} {_verb(action, tense, plural=actor.startswith('lawmakers'))} {document}{about}."
    if action in ("stated", "announced", "reported", "promised", "admitted") and topics:
        return f"{_capital(actor)} has spoken on {and_list(topics)}."
    if action in ("backed", "criticized") and topics:
        return f"{_capital(actor)} {_verb(action, tense)} a proposal on {and_list(topics)}."
    return None


ACTION_VERBS = {
    "signed": "sign", "introduced": "introduce", "passed": "pass", "approved": "approve", "drafted": "draft",
    "proposed": "propose", "published": "publish", "considered": "consider", "rejected": "reject",
    "backed": "back", "criticized": "criticize",
}  # fmt: skip
_PRESENT = {"consider": "is considering", "draft": "is drafting", "back": "backs", "criticize": "criticizes"}


def _verb(action: str, tense: str, *, plural: bool = False) -> str:
    """ "has signed", "will consider", "plans to introduce", "is considering": the action in the report's tense."""
    base = ACTION_VERBS.get(action, action)
    if tense == "future":
        return f"will {base}"
    if tense == "planned":
        return f"{'plan' if plural else 'plans'} to {base}"
    if tense == "present" and base in _PRESENT:
        return _PRESENT[base]
    return f"{'have' if plural else 'has'} {action}"


def _recruitment(s: Slots) -> str | None:
    where = f"In {s.places[0]}, " if s.places else ""
    sums = [amount for amount, _ in s.stated_sums()]
    offer = f", offering {sums[0]}" if sums else ""
    if s.has("доброволец", "добровольческий") and s.has("создавать", "создать", "формировать", "набирать"):
        body = next((i for i in s.institutions + s.venues if i[:1].isupper() or i.startswith("the ")), None)
        if body:
            return f"{_capital(body)} is forming volunteer units{f' in {s.places[0]}' if s.places else ''}{offer}."
        return f"{where}{'v' if where else 'V'}olunteer units are being formed{offer}."
    if s.has("открыть", "открываться", "открыться") and s.has("пункт", "военкомат"):
        return f"{where}{'n' if where else 'N'}ew recruitment points have been opened."
    if s.has("повестка"):  # «с осени повестки будут приходить …» is a plan, not a fact yet
        if not _future(s) and not s.people and s.has("вручить") and _one_notice(s):  # «мужчине вручили повестку»
            return f"{where}{_unnamed(s, 'a man')} has been handed a draft notice."
        happening = "will be sent" if _future(s) else "are being handed out"
        return f"{where}{'d' if where else 'D'}raft notices {happening}."
    if s.has("реклама", "вакансия"):
        return f"{where}{'a' if where else 'A'}dvertisements for contract military service have been spotted{offer}."
    if s.has("контракт", "контрактник", "доброволец", "завербовать", "вербовать"):
        verbs = _contract_verbs(s)
        signed = [p for p, start, nominative in zip(s.people, s.starts, s.subjects, strict=True)
                  if nominative and any(abs(_token_at(s, start) - i) <= 3 for i in verbs)]  # fmt: skip
        if signed:
            return f"{where}{signed[0]} has signed a contract with the Ministry of Defense."
        if not s.people and verbs and s.counted:  # «почти 410 тыс. граждан заключили контракт»
            return f"{where}{s.counted[0]} have signed contracts with the Ministry of Defense."
        if not s.people and verbs and _unnamed(s, "") and not RELATIVES & set(s.roles):
            return f"{where}{_unnamed(s, '')} has signed a contract with the Ministry of Defense."
        if sums:
            return f"{where}{'r' if where else 'R'}ecruiters are offering {sums[0]} for contract military service."
    return None


def _phrase(s: Slots, *phrases: tuple[str, ...]) -> bool:
    """Whether the sentence holds one of these runs of lemmas («встали на колени»)."""
    order = [w.lemma for w in s.span.words]
    return any(order[i : i + len(p)] == list(p) for p in phrases for i in range(len(order)))


def _contract_verbs(s: Slots) -> list[int]:
    """Where the sentence says someone signed a contract («подписал контракт», «заключил контракт с …»); not where
    someone is made or wants to sign one («заставляют подписать контракт»)."""
    order = [w.lemma for w in s.span.words]
    return [
        i
        for i, (a, w) in enumerate(zip(order, s.span.words, strict=True))
        if a in ("подписать", "заключить") and "контракт" in order[i + 1 : i + 3] and _done(w.form)
    ]


def _one_notice(s: Slots) -> bool:
    """Whether the sentence speaks of one draft notice («вручили повестку»), not of notices in general."""
    forms = [readings(w.form) for w in s.span.words if w.lemma == "повестка"]
    return bool(forms) and all(found and "sing" in found[0].tag for found in forms)


def _future(s: Slots) -> bool:
    """Whether the sentence puts something in the future: a verb in the future tense («будут», «вручат»)."""
    return any(
        (found := readings(w.form)) and found[0].tag.POS == "VERB" and "futr" in found[0].tag for w in s.span.words
    )


def _done(word: str) -> bool:
    """Whether a verb form says the act happened: past tense or a participle, not an infinitive or the future."""
    found = readings(word)
    tag = found[0].tag if found else None
    return tag is not None and (tag.POS in ("PRTF", "PRTS") or "past" in tag)


def _token_at(s: Slots, start: int) -> int:
    return next((i for i, w in enumerate(s.span.words) if w.start >= start), len(s.span.words))


def _desertion(s: Slots) -> str | None:
    sentenced = _sentence(s)
    if sentenced:
        return sentenced
    who = _who(s, "a serviceman")
    where = f" from {s.home}" if s.home else ""
    if s.has("сзч", "самовольно", "самовольный", "дезертир", "сбежать", "бежать"):
        return f"{_capital(_from(who, where))} has left his unit without authorization."
    if s.has("отказаться", "отказник", "отказ"):
        return f"{_capital(_from(who, where))} has refused to take part in the war."
    return None


def _youth(s: Slots) -> str | None:
    where = f"In {s.places[0]}, " if s.places else ""
    who = next((r for r in ("schoolchildren", "students") if r.rstrip("ren").rstrip("s") in " ".join(s.roles)), None)
    topics = [t for t in s.topics if t in YOUTH_TOPICS][:2]
    if not topics:
        return None
    if who:
        return f"{where}{who if where else _capital(who)} are to take part in {and_list(topics)}."
    return f"{where}{'s' if where else 'S'}chools are to hold {and_list(topics)}."


def _treason(s: Slots) -> str | None:
    return _sentence(s) or _arrest(s) or _attack(s)


def _attack(s: Slots) -> str | None:
    """An arson or bomb attack on a building of the war effort («в здание военкомата бросили бутылку с
    зажигательной смесью»)."""
    if not (s.has("поджог", "поджечь", "зажигательный", "коктейль", "взрыв", "подорвать")):
        return None
    target = next((i for i in s.institutions + s.venues if i in TARGETS), None)
    if target is None:
        return None
    what = "A bomb attack" if s.has("взрыв", "подорвать") else "An arson attack"
    where = f" in {s.places[0]}" if s.places else ""
    return f"{what} has targeted {target}{where}."


LAW_ENFORCEMENT = frozenset({
    "the Federal Security Service (FSB)", "the police", "the Investigative Committee", "the prosecutor’s office",
    "the Prosecutor General’s Office", "the Ministry of Internal Affairs", "Rosgvardia",
})  # fmt: skip
YOUTH_TOPICS = frozenset({
    "basic military training", "military-patriotic education", "“Conversations About Important Things” lessons",
    "the Fundamentals of Security and Defense of the Motherland course", "military training", "drones",
    "military training camps",
})  # fmt: skip
TARGETS = frozenset({
    "the military enlistment office", "the recruitment center", "the contract service recruitment center",
    "the police", "the administration", "Rosgvardia",
})  # fmt: skip
LEGISLATURES = frozenset({"the State Duma", "the Federation Council", "the Legislative Assembly"})
RELATIVES = frozenset({"mother", "wife", "widow", "relative", "son", "father"})
WRITERS: dict[str, Callable[[Slots], str | None]] = {
    "sentence": _sentence,
    "arrest": _arrest,
    "treason": _treason,
    "desertion": _desertion,
    "payment": _payment,
    "deaths": _deaths,
    "appeal": _appeal,
    "recruitment": _recruitment,
    "youth": _youth,
    "law": _law,
}


# the words the writers open a clause with (never a name: "According to X, women have …" lower-cases them)
OPENERS = frozenset({
    "A", "An", "The", "In", "Relatives", "Soldiers", "Mobilized", "Draft", "Advertisements", "Recruiters", "Schools",
    "Law", "Lawmakers", "Schoolchildren", "Students", "Volunteer", "New", "Women", "Wives", "Mothers", "Widows",
})  # fmt: skip


def attributed(outlet: str, clause: str) -> str:
    """The house voice: "According to Mediazona, a court in …"."""
    first, _, rest = clause.partition(" ")
    if first in OPENERS:
        clause = first.lower() + " " + rest
    return f"According to {outlet}, {clause}"


def tidy(text: str) -> str:
    """An appositive's closing comma where the sentence or a clause ends anyway: "…, a lawyer,." → "…, a lawyer."."""
    return re.sub(r",+(?=[.;:)]|$)", "", re.sub(r",\s*,", ",", text))
