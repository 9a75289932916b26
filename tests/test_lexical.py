"""Segmented BM25 (index/lexical.py) against bm25s, the reference implementation, on real Vietnamese tokens."""

from concurrent.futures import Executor, ThreadPoolExecutor

import bm25s
import numpy as np
import pytest

from index import lexical
from index.lexical import LexicalIndex, LexicalSegment
from index.settings import SHIPPED_CORPUS
from index.vietnamese import index_tokens, query_tokens

QUESTIONS = [
    "Quy định 22-QĐ/TW là gì?",
    "công tác kiểm tra giám sát của Đảng",
    "quy dinh ve cong tac kiem tra",
    "đảng viên vi phạm bị kỷ luật",
    "phát triển đảng viên mới",
    "từ không có trong kho văn bản xyzzy",
]


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    text = (SHIPPED_CORPUS / "vinh-phuc-xay-dung-dang-2021.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if len(p.split()) > 8]
    return [index_tokens(p) for p in paragraphs]


def reference_scores(token_lists: list[list[str]], question: str) -> np.ndarray:
    reference = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    reference.index(token_lists, show_progress=False)
    known = [t for t in query_tokens(question) if t in reference.vocab_dict]
    return reference.get_scores(known) if known else np.zeros(len(token_lists))


def one_index(parts: list[LexicalSegment], deleted_rows: list[np.ndarray] | None = None) -> LexicalIndex:
    ids, offset = [], 0
    for part in parts:
        ids.append(np.arange(offset, offset + len(part), dtype=np.int64))
        offset += len(part)
    live = [np.ones(len(part), dtype=bool) for part in parts]
    for mask, rows in zip(live, deleted_rows or []):
        mask[rows] = False
    return LexicalIndex(parts, ids, live)


def flat_scores(index: LexicalIndex, question: str, count: int, helper: Executor | None = None) -> np.ndarray:
    scores = index.scores(query_tokens(question), helper)
    found = scores.of_many(list(range(count)))
    return np.array([found[i] for i in range(count)])


def test_one_segment_scores_equal_bm25s(corpus):
    index = one_index([LexicalSegment.build(corpus)])
    for question in QUESTIONS:
        np.testing.assert_allclose(flat_scores(index, question, len(corpus)), reference_scores(corpus, question), rtol=1e-5, atol=1e-6)
    assert flat_scores(index, "công tác kiểm tra", len(corpus)).max() > 0


def test_scores_over_several_segments_equal_one_index_over_all(corpus):
    """Global statistics (passage count, average length, document frequency) are combined across segments."""
    cuts = [0, 7, 30, len(corpus)]
    parts = [LexicalSegment.build(corpus[a:b]) for a, b in zip(cuts, cuts[1:])]
    index = one_index(parts)
    for question in QUESTIONS:
        np.testing.assert_allclose(flat_scores(index, question, len(corpus)), reference_scores(corpus, question), rtol=1e-5, atol=1e-6)


def test_top_ranks_like_the_reference(corpus):
    index = one_index([LexicalSegment.build(corpus[:20]), LexicalSegment.build(corpus[20:])])
    reference = reference_scores(corpus, "công tác kiểm tra giám sát")
    top = index.scores(query_tokens("công tác kiểm tra giám sát")).top(5)
    assert [i for i, _ in top] == list(np.argsort(-reference, kind="stable")[:5])
    assert [round(s, 4) for _, s in top] == [round(float(s), 4) for s in np.sort(reference)[::-1][:5]]


def test_deleted_rows_score_nothing_and_hold_no_token(corpus):
    index = one_index([LexicalSegment.build(corpus)], [np.array([0, 1, 2])])
    scores = index.scores(query_tokens("công tác kiểm tra"))
    assert scores.of_many([0, 1, 2]) == {0: 0.0, 1: 0.0, 2: 0.0}
    assert {i for i, _ in scores.top(len(corpus))}.isdisjoint({0, 1, 2})
    token = corpus[0][0]
    holders = index.passages_with(token)
    assert 0 not in holders.tolist()
    assert len(index) == len(corpus) - 3


@pytest.mark.parametrize("chunk", [7, 1000, lexical.MERGE_CHUNK])  # a term's postings split across chunks, or not
def test_merge_equals_building_from_the_kept_rows(corpus, chunk, monkeypatch):
    monkeypatch.setattr(lexical, "MERGE_CHUNK", chunk)
    first, second = LexicalSegment.build(corpus[:25]), LexicalSegment.build(corpus[25:])
    keep_first, keep_second = np.array([0, 3, 4, 10, 24]), np.arange(0, len(corpus) - 25, 2)
    merged = LexicalSegment.merge([(first, keep_first), (second, keep_second)])
    kept = [corpus[i] for i in keep_first] + [corpus[25 + i] for i in keep_second]
    rebuilt = LexicalSegment.build(kept)
    for name in ("hashes", "indptr", "rows", "counts", "lengths"):
        np.testing.assert_array_equal(getattr(merged, name), getattr(rebuilt, name), err_msg=name)


def test_saved_segment_loads_memory_mapped_and_scores_the_same(corpus, tmp_path):
    segment = LexicalSegment.build(corpus)
    segment.save(tmp_path / "lexical")
    loaded = LexicalSegment.load(tmp_path / "lexical")
    assert isinstance(loaded.rows, np.memmap)
    for question in QUESTIONS[:3]:
        np.testing.assert_allclose(
            flat_scores(one_index([loaded]), question, len(corpus)), flat_scores(one_index([segment]), question, len(corpus))
        )


def test_document_frequency_counts_every_segment(corpus):
    token = index_tokens("kiểm tra")[0]
    expected = sum(token in tokens for tokens in corpus)
    index = one_index([LexicalSegment.build(corpus[:10]), LexicalSegment.build(corpus[10:])])
    assert expected > 1
    assert index.document_frequency(token) == expected
    assert sorted(index.passages_with(token).tolist()) == [i for i, tokens in enumerate(corpus) if token in tokens]


@pytest.mark.parametrize(
    "dense_share, cache_bytes, parallel_postings",
    [
        (0.0, 2**30, 0),  # every term scored over whole arrays, all of them kept, segments on two threads
        (0.0, 1000, 10**9),  # whole arrays, the cache holding a few at a time (evictions), one thread
        (1.0, 2**30, 0),  # every term scored row by row
    ],
)
def test_scores_are_the_same_whichever_way_they_are_computed(corpus, dense_share, cache_bytes, parallel_postings, monkeypatch):
    monkeypatch.setattr(lexical, "DENSE_SHARE", dense_share)
    monkeypatch.setattr(lexical, "COMMON_TERM_CACHE_BYTES", cache_bytes)
    monkeypatch.setattr(lexical, "PARALLEL_POSTINGS", parallel_postings)
    index = one_index([LexicalSegment.build(corpus[:30]), LexicalSegment.build(corpus[30:45]), LexicalSegment.build(corpus[45:])])
    with ThreadPoolExecutor(max_workers=1) as helper:
        for _ in range(2):  # the second time from whatever the first left cached
            for question in QUESTIONS:
                found = flat_scores(index, question, len(corpus), helper)
                np.testing.assert_allclose(found, reference_scores(corpus, question), rtol=1e-5, atol=1e-6)


class CountingExecutor(ThreadPoolExecutor):
    """A real one-thread pool that counts the work it is given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


@pytest.mark.parametrize("parallel_postings, submitted", [(0, 1), (lexical.PARALLEL_POSTINGS, 0)])
def test_only_a_question_touching_many_postings_is_shared_with_the_helper(corpus, parallel_postings, submitted, monkeypatch):
    monkeypatch.setattr(lexical, "PARALLEL_POSTINGS", parallel_postings)
    index = one_index([LexicalSegment.build(corpus[:30]), LexicalSegment.build(corpus[30:])])
    with CountingExecutor() as helper:
        shared = flat_scores(index, QUESTIONS[1], len(corpus), helper)
    alone = flat_scores(index, QUESTIONS[1], len(corpus))

    assert helper.submitted == submitted
    np.testing.assert_allclose(shared, alone)


def test_top_rows_are_exact_with_ties_and_many_rows():
    rng = np.random.default_rng(7)
    for size, k in [(50, 60), (10_000, 60), (200_000, 60), (200_000, 1)]:
        scores = np.round(rng.gamma(1.0, 2.0, size=size), 1).astype(np.float32)  # rounded: many ties
        rows = lexical._top_rows(scores, k)
        assert len(rows) == min(k, size)
        assert np.sort(scores[rows])[::-1].tolist() == np.sort(scores)[::-1][: min(k, size)].tolist()
