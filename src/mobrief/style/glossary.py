"""The glossary: `Term [gloss]` pairs mined from the archive, the shipped default glossary and gazetteers.

Mining is our own because the pairs live in free text with no markup: the term is the run of capitalised words
right before the bracket, minus sentence openers ("However,", "In"), articles and role prefixes ("Head of
Bashkortostan"), and brackets that hold conversions or editorial insertions (`[$33,200]`, `[sic]`, `[of the
ministry]`) are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from mobrief.records import ArchiveParagraph, GlossaryTerm, GlossUse
from mobrief.style.glossary_layers import (
    GlossPolicy,
    default_overrides,
    gloss_for,
    load_default_glossary,
    merge_glossaries,
    overrides_from,
    term_from_mapping,
)

__all__ = [
    "GlossPair",
    "GlossPolicy",
    "MinedTerm",
    "default_overrides",
    "find_gloss_pairs",
    "gloss_for",
    "load_default_glossary",
    "merge_glossaries",
    "mine_glosses",
    "overrides_from",
    "term_from_mapping",
]

# A term's words: capitalised (or a digit), with inner dots, hyphens, apostrophes and a final "!" ("Idite
# Lesom!")
_CAP_WORD = re.compile(r"^[A-Z0-9][\w’'.\-!]*$|^7x7.*$")
_CONNECTORS = {
    "of",
    "the",
    "and",
    "na",
    "i",
    "v",
    "za",
    "po",
    "k",
    "s",
    "ot",
    "iz",
    "do",
    "pod",
    "pro",
    "bez",
    "u",
}
_OPENERS = {
    "in", "on", "at", "by", "for", "from", "with", "as", "however", "meanwhile", "earlier", "later", "also",
    "thus", "additionally", "according", "moreover", "then", "since", "after", "before", "while", "when",
    "although", "now",
    "the", "a", "an", "this", "that", "these", "those", "both", "and", "but", "so", "yet", "if",
}  # fmt: skip
_OWNERS = ("’s", "'s", "-based")
# Words that make "<Role> of <Name> [gloss]" a gloss of the name, not of the role
_ROLES = {
    "head", "governor", "chairman", "chairwoman", "chair", "member", "members", "deputy", "deputies",
    "speaker", "vice-speaker", "residents", "resident", "authorities", "minister", "employees", "mayor",
    "president", "director", "commander", "spokesperson", "spokesman", "citizens", "natives", "native",
    "leader", "prosecutor",
}  # fmt: skip
_NOT_GLOSS = re.compile(
    r"^(?:\$|about \$|approx|approximately|around|from \$|up to \$|~|sic\b|\.\.\.|…|[0-9]|actually|emphasis|"
    r"translated|translator|editor|note|ed\.|more details|see\b|link|photo|video)",
    re.IGNORECASE,
)
# an editor's lowercase insertion: "[of document verification]", "[to depart Russia]", "[when Kartapolov …]"
_INSERTION = re.compile(r"^(?:of|to|when|for|in|on|at|by|with|and|or|that|which|who|as|if)\b")
_BRACKET = re.compile(r"\[([^\[\]\n]{2,160})\]")
# A gloss that opens with a role describes a person ("Deputy Chairman of …"), and roles go stale
_PERSON_START = re.compile(
    r"^(?:the |a |an )?(?:former |first |deputy |acting |russian |ukrainian |regional )*"
    r"(?:minister|chairman|chairwoman|governor|deputy|head of|politician|political scientist|scientist|"
    r"oligarch|journalist|lawyer|activist|spokes\w+|senator|mayor|prime minister|commander|president|speaker|"
    r"ombudsman|blogger|businessman|general)\b",
    re.IGNORECASE,
)
_OUTLET_WORDS = ("media outlet", "news agency", "newspaper", "telegram channel", "television", "news outlet")
_REGION_WORDS = ("constituent republic", "federal subject", "constituent entity", "constituent subject")
_INSTITUTION_WORDS = (
    "ministry",
    "service",
    "agency",
    "house of",
    "assembly",
    "party",
    "directorate",
    "guard",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GlossPair:
    """A `Term [gloss]` found in a text: the term as the house wrote it and where both stand."""

    term: str
    gloss: str
    term_start: int
    bracket_start: int
    bracket_end: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MinedTerm:
    """A term as mined from the archive: its glosses with counts and dates, spellings, and how often it is
    glossed.
    """

    term: str
    gloss: str
    uses: tuple[GlossUse, ...]
    spellings: tuple[str, ...] = ()
    count: int = 0  # archive briefs that glossed it
    mentioned_in: int = 0  # archive briefs that mention it at all
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    kind: str | None = None

    def to_term(self) -> GlossaryTerm:
        return GlossaryTerm(
            term=self.term,
            gloss=self.gloss,
            kind=self.kind or guess_kind(self.gloss),
            variants=tuple(u.gloss for u in self.uses if u.gloss != self.gloss),
            spellings=self.spellings,
            history=self.uses,
            count=self.count,
            mentioned_in=self.mentioned_in,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            origin="mined",
        )


def guess_kind(gloss: str) -> str:
    """The kind of term a gloss describes: outlet, region, institution or plain term."""
    low = gloss.lower()
    if _PERSON_START.match(low) or re.search(r"\b(?:politician|oligarch)\b", low):
        return "person"
    if any(w in low for w in _OUTLET_WORDS):
        return "outlet"
    if any(w in low for w in _REGION_WORDS):
        return "region"
    if any(w in low for w in _INSTITUTION_WORDS):
        return "institution"
    return "term"


def is_gloss_text(content: str) -> bool:
    """Whether a bracket's content can be a gloss (not a conversion, `[sic]` or an editorial insertion)."""
    content = content.strip()
    if len(content) < 2 or "$" in content or "€" in content or "CIT" in content:
        return False
    return not _NOT_GLOSS.match(content) and not _INSERTION.match(content)


def _term_before(text: str, end: int, gloss: str) -> tuple[str, int] | None:
    """The glossed term ending at `end` (just before " [") and where it starts, or None."""
    head = text[max(0, end - 200) : end]
    offset = end - len(head)
    tokens = list(re.finditer(r"\S+", head))
    if not tokens or tokens[-1].end() != len(head):
        return None
    words: list[tuple[str, int]] = []  # (word, start in text), last word first
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        word = token.group(0)
        if i < len(tokens) - 1:
            gap = head[token.end() : tokens[i + 1].start()]
            if gap != " " or word.endswith((",", ";", ":", ")", '"', "”")):
                break
            if word.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+|[A-Z][a-z]?\.", word):
                break
        if "–" in word or "—" in word:  # "autonomous region–Yugra", "7x7—Gorizontalnaya Rossiya"
            tail = re.split(r"[–—]", word)[-1]
            if tail and _CAP_WORD.match(tail):
                words.append((tail, offset + token.end() - len(tail)))
            break
        if _CAP_WORD.match(word) or (words and word in _CONNECTORS):
            words.append((word, offset + token.start()))
            continue
        break
    words.reverse()
    return _clean(words, gloss)


def _clean(words: list[tuple[str, int]], gloss: str) -> tuple[str, int] | None:
    def lower(i: int) -> str:
        return words[i][0].lower()

    while words and (lower(0) in _OPENERS or words[0][0] in _CONNECTORS or lower(0).endswith(_OWNERS)):
        del words[0]
    region = guess_kind(gloss) == "region"
    last_of = max((i for i, (w, _) in enumerate(words) if w == "of"), default=-1)
    named_owner = last_of >= 2 and len([w for w, _ in words[last_of + 1 :] if w != "the"]) <= 2
    if words and (lower(0) in _ROLES or region or named_owner):
        cut = max((i for i, (w, _) in enumerate(words) if w in ("of", "and")), default=-1)
        if cut >= 0 and region and cut > 0 and lower(cut - 1) == "republic":
            cut -= 2  # "State Assembly of the Republic of Bashkortostan": keep "Republic of Bashkortostan"
            while cut >= 0 and words[cut][0] not in ("of", "and"):
                cut -= 1
        if cut >= 0:
            del words[: cut + 1]
    elif "and" in (w for w, _ in words):
        last_and = max(i for i, (w, _) in enumerate(words) if w == "and")
        del words[: last_and + 1]
    while words and words[0][0] in _CONNECTORS:
        del words[0]
    if not words or len(words) > 7 or words[-1][0] in _CONNECTORS:
        return None
    term = " ".join(w for w, _ in words).rstrip(".")
    if len(term) < 2 or not re.search(r"[A-Za-z]", term):
        return None
    return term, words[0][1]


def find_gloss_pairs(text: str) -> list[GlossPair]:
    """Every `Term [gloss]` in `text`, in order (conversions and editorial brackets left out)."""
    pairs: list[GlossPair] = []
    for m in _BRACKET.finditer(text):
        if not is_gloss_text(m.group(1)) or m.start() == 0 or text[m.start() - 1] != " ":
            continue
        found = _term_before(text, m.start() - 1, m.group(1))
        if found is None:
            continue
        term, start = found
        pairs.append(
            GlossPair(
                term=term,
                gloss=m.group(1).strip(),
                term_start=start,
                bracket_start=m.start(),
                bracket_end=m.end(),
            )
        )
    return pairs


def fold(term: str) -> str:
    """A spelling-insensitive key: "Mozhem Ob'yasnit" and "Mozhem Obyasnit’" fold to the same string."""
    return re.sub(r"[^a-z0-9]", "", term.lower())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _same_gloss(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def _strip_brackets(text: str) -> str:
    return _BRACKET.sub(lambda m: " " * len(m.group(0)), text)


def term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex finding any of `terms` as whole words ("Agentstvo" not inside "Agentstvo.Novosti")."""
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True) if t)
    return re.compile(rf"(?<![\w’'.\-])(?:{alternatives or '(?!)'})(?![\w\-]|[.’']\w)")


def mine_glosses(paragraphs: Iterable[ArchiveParagraph], known: Iterable[GlossaryTerm] = ()) -> list[MinedTerm]:
    """`Term [gloss]` pairs of the archive with counts, dates, drifted glosses and spellings, and how often
    the
    briefs that mention each term gloss it. The canonical gloss is the most recent one.

    `known` terms (the shipped glossary) are measured too: one the archive mentions but never glosses comes
    back
    with a count of 0, which tells the engine the house does not gloss it.
    """
    briefs: dict[int, list[ArchiveParagraph]] = defaultdict(list)
    for paragraph in paragraphs:
        briefs[paragraph.brief_id].append(paragraph)
    uses: dict[str, dict[str, list[dt.date | None]]] = defaultdict(lambda: defaultdict(list))
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    glossed_in: dict[str, set[int]] = defaultdict(set)
    texts: dict[int, str] = {}
    known = list(known)
    known_forms = sorted({form for t in known if t.gloss for form in (t.term, *t.spellings)}, key=len, reverse=True)
    known_end = re.compile(rf"(?:{'|'.join(re.escape(f) for f in known_forms) or '(?!)'})$")
    for brief_id, items in briefs.items():
        items.sort(key=lambda p: p.position)
        texts[brief_id] = "\n".join(p.text for p in items)
        day = items[0].period_end
        for pair in find_gloss_pairs(texts[brief_id]):
            # a known name wins over the capitalised-run guess: "Ostorozhno, Novosti", not "Novosti"
            head = texts[brief_id][max(0, pair.bracket_start - 80) : pair.bracket_start].rstrip(" ,")
            if (m := known_end.search(head)) and (m.start() == 0 or not head[m.start() - 1].isalnum()):
                pair = GlossPair(
                    term=m.group(0),
                    gloss=pair.gloss,
                    term_start=pair.bracket_start - len(head) + m.start(),
                    bracket_start=pair.bracket_start,
                    bracket_end=pair.bracket_end,
                )
            key = fold(pair.term)
            uses[key][pair.gloss].append(day)
            spellings[key][pair.term] += 1
            glossed_in[key].add(brief_id)
    known_by_key: dict[str, GlossaryTerm] = {}
    for term in known:
        if term.gloss:
            key = fold(term.term)
            known_by_key.setdefault(key, term)
            for form in (term.term, *term.spellings):
                spellings[key][form] += 0
    keys = _merge_spellings(uses, spellings, glossed_in)
    vocabulary = {w for text in texts.values() for w in re.findall(r"(?<![\w’'])[a-z]+(?![\w’'])", text)}
    # a one-off bracket after ordinary English words ("Traffic Safety [Russian Traffic Police]") is an
    # editor's
    # aside, not a name the house glosses
    keys = [
        k
        for k in keys
        if len(glossed_in[k]) >= 2
        or k in known_by_key
        or not all(w.lower() in vocabulary for w in re.findall(r"[A-Za-z]+", spellings[k].most_common(1)[0][0]))
    ]
    names = {
        key: known_by_key[key].term if key in known_by_key else spellings[key].most_common(1)[0][0] for key in keys
    }
    every_form = {form: key for key in keys for form in spellings[key]}
    pattern = term_pattern(every_form)
    mentioned: dict[str, set[int]] = defaultdict(set)
    for brief_id, text in texts.items():
        for m in pattern.finditer(_strip_brackets(text)):
            mentioned[every_form[m.group(0)]].add(brief_id)
    mined = []
    for key in keys:
        if not uses.get(key):  # a known term the archive never glossed
            if not mentioned[key]:
                continue
            term = known_by_key[key]
            mined.append(
                MinedTerm(
                    term=term.term,
                    gloss=term.gloss or "",
                    uses=(),
                    spellings=term.spellings,
                    count=0,
                    mentioned_in=len(mentioned[key]),
                    kind=term.kind,
                )
            )
            continue
        history = []
        for gloss, days in uses[key].items():
            dated = [d for d in days if d is not None]
            history.append(
                GlossUse(
                    gloss=gloss,
                    count=len(days),
                    first_seen=min(dated, default=None),
                    last_seen=max(dated, default=None),
                )
            )
        history.sort(key=lambda u: (u.last_seen or dt.date.min, u.count), reverse=True)
        all_days = [d for u in history for d in (u.first_seen, u.last_seen) if d is not None]
        name = names[key]
        mined.append(
            MinedTerm(
                term=name,
                gloss=history[0].gloss,
                uses=tuple(history),
                spellings=tuple(sorted(s for s in spellings[key] if s != name)),
                count=len(glossed_in[key]),
                mentioned_in=max(len(mentioned[key] | glossed_in[key]), 1),
                first_seen=min(all_days, default=None),
                last_seen=max(all_days, default=None),
                kind=known_by_key[key].kind if key in known_by_key else None,
            )
        )
    mined.sort(key=lambda t: (-t.count, t.term))
    return mined


def _merge_spellings(
    uses: dict[str, dict[str, list[dt.date | None]]],
    spellings: dict[str, Counter[str]],
    glossed_in: dict[str, set[int]],
) -> list[str]:
    """Fold near-identical spellings with a shared gloss into one term ("Agenstvo" into "Agentstvo")."""
    keys = sorted(set(uses) | set(spellings), key=lambda k: -sum(spellings[k].values()))
    kept: list[str] = []
    for key in keys:
        target = next(
            (
                k
                for k in kept
                if len(key) >= 5
                and edit_distance(k, key) <= max(1, len(key) // 8)
                and key in uses
                and any(_same_gloss(a, b) for a in uses[k] for b in uses[key])
            ),
            None,
        )
        if target is None:
            kept.append(key)
            continue
        for gloss, days in uses.pop(key).items():
            uses[target][gloss].extend(days)
        spellings[target].update(spellings[key])
        glossed_in[target] |= glossed_in[key]
    return kept
