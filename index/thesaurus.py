"""The domain's vocabulary: everyday words in a question -> the terms Party and State documents use.

The entries are data, in index/thesaurus.txt (reviewed by people, not generated); this module reads them and
finds which apply to a question. Matching is on whole words, so an entry never fires inside a longer
word; a word typed with diacritics must match them ("làng", not "Lạng Sơn"), a word typed without matches
by its letters ("nguoi cua dang" is "người của Đảng").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.vietnamese import fold_word, has_diacritics, syllables

THESAURUS_FILE = Path(__file__).with_name("thesaurus.txt")


@dataclass(frozen=True)
class Entry:
    group: str
    words: tuple[str, ...]  # the words a question must hold, in order: lower case, one tone convention
    terms: tuple[str, ...]  # what the documents say, as written

    def matches(self, said: list[str], position: int) -> bool:
        """The entry's words at said[position:], each compared with its diacritics when typed with them."""
        typed = said[position : position + len(self.words)]
        return len(typed) == len(self.words) and all(
            t == w if has_diacritics(t) else t == fold_word(w) for t, w in zip(typed, self.words)
        )


class Thesaurus:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._by_first: dict[str, list[Entry]] = {}
        for entry in entries:
            self._by_first.setdefault(fold_word(entry.words[0]), []).append(entry)

    @classmethod
    def parse(cls, text: str) -> "Thesaurus":
        """Entries from the file's format (see index/thesaurus.txt): "a => b | c" one way, "A <=> b" both ways."""
        entries: list[Entry] = []
        group = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("[") and line.endswith("]"):
                group = line[1:-1].strip()
                continue
            both = "<=>" in line
            left, sep, right = line.partition("<=>" if both else "=>")
            terms = tuple(t.strip() for t in right.split("|") if t.strip())
            if not sep or not left.strip() or not terms:
                raise ValueError(f"thesaurus line {number}: expected 'words => term | term' or 'ABBR <=> name': {raw!r}")
            entries += _entries(group, left.strip(), terms)
            if both:
                for term in terms:
                    entries += _entries(group, term, (left.strip(),))
        return cls(entries)

    def expansions(self, question: str) -> list[str]:
        """The document terms for the everyday words the question holds, each once, in the question's order;
        terms the question already says are left out."""
        return terms_of(self.matched(question), question)

    def matched(self, question: str) -> list[Entry]:
        """The entries whose words the question holds, in the question's order."""
        said = syllables(question)
        return [
            entry
            for position, word in enumerate(fold_word(w) for w in said)
            for entry in self._by_first.get(word, ())
            if entry.matches(said, position)
        ]


def terms_of(entries: list[Entry], question: str) -> list[str]:
    """The terms of entries the question matched, each once, in order, without those the question already says."""
    folded = [fold_word(w) for w in syllables(question)]
    found: list[str] = []
    for entry in entries:
        found += [t for t in entry.terms if t not in found and not says_term(folded, t)]
    return found


def _entries(group: str, left: str, terms: tuple[str, ...]) -> list[Entry]:
    words = tuple(syllables(left))
    kept = tuple(t for t in terms if tuple(syllables(t)) != words)
    return [Entry(group, words, kept)] if words and kept else []


def says_term(words: list[str], term: str) -> bool:
    """Whether the folded words hold the term's words side by side (a passage saying "đảng phí")."""
    wanted = [fold_word(w) for w in syllables(term)]
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The shipped thesaurus (index/thesaurus.txt), read once."""
    return Thesaurus.parse(THESAURUS_FILE.read_text(encoding="utf-8"))
