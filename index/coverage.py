"""How much of a question a passage says: the share of the question's rare words and word pairs it holds.

Words and pairs are weighted by rarity in the library (IDF), so "phở" missing from every passage outweighs
"cách" found, and "lương cơ sở" is not found in "cơ sở" next to "lương" elsewhere. A question's everyday
words count as said where the passage says their document term (thesaurus entries the question matched:
"tiền đảng" is said by "đảng phí"). Used by search to decide whether a shown passage answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from index.lexical import LexicalIndex
from index.thesaurus import Entry, says_term
from index.vietnamese import FOLDED_PREFIX, fold, word_spans


@dataclass(frozen=True)
class QuestionTerms:
    words: dict[str, float]  # folded content word -> rarity
    pairs: dict[tuple[str, str], float]  # folded words side by side in the question -> rarity of the pair
    synonyms: tuple[Entry, ...]  # thesaurus entries the question matched


@dataclass(frozen=True)
class Coverage:
    words: float  # 0..1, rarity-weighted
    pairs: float  # 0..1; 1.0 when the question has no pair


def question_terms(lexical: LexicalIndex, words: set[str], pairs: set[tuple[str, str]],
                   synonyms: list[Entry]) -> QuestionTerms:
    total = len(lexical) + 1

    def rarity(token: str) -> float:
        return math.log(total / (lexical.document_frequency(token) + 0.5))

    return QuestionTerms(
        {w: rarity(FOLDED_PREFIX + w) for w in words},
        {pair: rarity(f"{FOLDED_PREFIX}{pair[0]}_{pair[1]}") for pair in pairs},
        tuple(synonyms),
    )


def coverage(terms: QuestionTerms, text: str) -> Coverage:
    """What share of the question's words and pairs `text` says (a thesaurus term says the everyday words)."""
    folded = [w for _, _, w in word_spans(text)]
    present, present_pairs = set(folded), set(zip(folded, folded[1:]))
    for entry in terms.synonyms:
        if any(says_term(folded, term) for term in entry.terms):
            said = [fold(w) for w in entry.words]
            present.update(said)
            present_pairs.update(zip(said, said[1:]))
    return Coverage(_share(terms.words, present), _share(terms.pairs, present_pairs) if terms.pairs else 1.0)


def _share(weights: dict, present: set) -> float:
    total = sum(weights.values())
    return sum(w for key, w in weights.items() if key in present) / total if total else 0.0
