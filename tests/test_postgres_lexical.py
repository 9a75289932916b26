"""BM25 postings and diacritic counts in PostgreSQL (index/postgres/lexical.py, index/postgres/restoration.py)
answer as the file index and the file restorer do, on the same Vietnamese passages (a real server:
tests/postgres_server.py). The file index compared is one whose segments are merged, as the PostgreSQL
statistics count only the passages present."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from index.documents import Document, Passage
from index.lexical import LexicalIndex, LexicalSegment
from index.postgres.database import Database
from index.postgres.lexical import PRUNE_ABOVE, PostgresLexical, QuestionTerm, common_count
from index.postgres.restoration import PostgresSyllableCounts
from index.postgres.store import PostgresStore
from index.restoration import DiacriticRestorer, SyllableTable
from index.settings import SHIPPED_CORPUS
from index.vietnamese import fold, index_tokens, query_tokens

QUESTIONS = [
    "Quy định 22-QĐ/TW là gì?",
    "công tác kiểm tra giám sát của Đảng",
    "quy dinh ve cong tac kiem tra",
    "đảng viên vi phạm bị kỷ luật",
    "phát triển đảng viên mới",
    "xây dựng hệ thống chính trị trong sạch vững mạnh",
    "nghi quyet trung uong 4 ve xay dung dang",
    "Ban Thường vụ Tỉnh ủy chỉ đạo những gì về phát triển kinh tế?",
    "của các và trong",  # only words of nearly every passage
    "chi bộ",
    "đảng viên, đảng viên và đảng viên",  # a token asked three times counts three times, as in LexicalIndex
    "từ không có trong kho văn bản xyzzy",
]
XQUAD = Path(__file__).resolve().parent.parent / "bench" / "data" / "xquad-vi" / "xquad.vi.json"
K_VALUES = (1, 10, 60, 1000)  # 1000: more than the passages, so every passage with a positive score


def corpus_passages() -> list[str]:
    """The shipped report's sentences, then sentences of XQuAD-vi's Wikipedia paragraphs: a few hundred passages."""
    texts = [(SHIPPED_CORPUS / "vinh-phuc-xay-dung-dang-2021.txt").read_text(encoding="utf-8")]
    xquad = json.loads(XQUAD.read_text(encoding="utf-8"))
    texts += [p["context"] for article in xquad["data"] for p in article["paragraphs"]][:80]
    return [s.strip() for t in texts for s in re.split(r"(?<=[.;!?])\s+|\n+", t) if len(s.split()) >= 6]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = corpus_passages()
    assert len(found) > 350
    return found


@pytest.fixture
def database(postgres_url):
    opened = Database(postgres_url)
    yield opened
    opened.close()


def file_index(parts: list[tuple[np.ndarray, list[list[str]]]]) -> LexicalIndex:
    """A LexicalIndex with one segment per (ids, tokens) part, nothing deleted."""
    segments = [LexicalSegment.build(tokens) for _, tokens in parts]
    return LexicalIndex(segments, [ids for ids, _ in parts], [np.ones(len(ids), dtype=bool) for ids, _ in parts])


def questions_for(texts: list[str]) -> list[str]:
    """The fixed questions, and the openings of some passages, typed with and without diacritics."""
    openings = [" ".join(t.split()[:9]) for t in texts[::37]]
    return QUESTIONS + openings + [fold(o) for o in openings]


def assert_same_ranking(found: list[tuple[int, float]], expected: list[tuple[int, float]],
                        all_scores: dict[int, float]) -> None:
    """The same passages in the same order with the same scores (1e-6 relative); passages whose scores tie may
    come in another order (by id here, by float32 rounding in the file index), at the k-th place too."""
    assert len(found) == len(expected)
    for (ours, score), (theirs, their_score) in zip(found, expected):
        assert score == pytest.approx(their_score, rel=1e-6)
        assert score == pytest.approx(all_scores[ours], rel=1e-6)
        if ours != theirs:
            assert all_scores[ours] == pytest.approx(all_scores[theirs], rel=1e-6)
    assert found == sorted(found, key=lambda pair: (-pair[1], pair[0]))


def assert_same_index(lexical: PostgresLexical, reference: LexicalIndex, ids: np.ndarray, questions: list[str]) -> None:
    assert len(lexical) == len(reference)
    everyone = [int(i) for i in ids] + [int(ids.max()) + 1000]  # and an id no passage has
    for question in questions:
        tokens = query_tokens(question)
        ours, theirs = lexical.scores(tokens), reference.scores(tokens)
        all_scores = theirs.of_many(everyone)
        found = ours.of_many(everyone)
        assert found.keys() == all_scores.keys()
        np.testing.assert_allclose([found[i] for i in everyone], [all_scores[i] for i in everyone], rtol=1e-6, atol=1e-9)
        for k in K_VALUES:
            assert_same_ranking(ours.top(k), theirs.top(k), all_scores)
        for token in dict.fromkeys(tokens):
            assert lexical.document_frequency(token) == reference.document_frequency(token)
            assert sorted(lexical.passages_with(token).tolist()) == sorted(reference.passages_with(token).tolist())


@pytest.mark.parametrize("prune_above", [0, PRUNE_ABOVE], ids=["maxscore", "full"])
def test_top_k_and_scores_equal_the_file_index(database, texts, prune_above):
    tokens = [index_tokens(t) for t in texts]
    ids = np.arange(1, len(texts) + 1, dtype=np.int64) * 3  # ids need not be dense
    lexical = PostgresLexical(database, prune_above=prune_above)
    lexical.add(ids.tolist(), tokens)
    assert_same_index(lexical, file_index([(ids, tokens)]), ids, questions_for(texts))


@pytest.mark.parametrize("prune_above", [0, PRUNE_ABOVE], ids=["maxscore", "full"])
def test_after_deleting_and_adding_passages_equal_the_merged_file_index(database, texts, prune_above):
    first, later = texts[:300], texts[300:]
    first_tokens, later_tokens = [index_tokens(t) for t in first], [index_tokens(t) for t in later]
    first_ids = np.arange(1, len(first) + 1, dtype=np.int64)
    later_ids = np.arange(1, len(later) + 1, dtype=np.int64) + 500
    lexical = PostgresLexical(database, prune_above=prune_above)
    with database.transaction():  # in several writes: in a transaction of the caller, then from an iterator
        lexical.add(first_ids[:100].tolist(), first_tokens[:100])
    lexical.add(first_ids[100:].tolist(), iter(first_tokens[100:]))

    deleted = first_ids[::4]
    lexical.delete(deleted.tolist() + [9999])  # an id never indexed is ignored
    lexical.add(later_ids.tolist(), later_tokens)

    kept_rows = np.flatnonzero(~np.isin(first_ids, deleted))
    merged = LexicalSegment.merge([(LexicalSegment.build(first_tokens), kept_rows)])
    reference = LexicalIndex([merged, LexicalSegment.build(later_tokens)], [first_ids[kept_rows], later_ids],
                             [np.ones(len(kept_rows), dtype=bool), np.ones(len(later_ids), dtype=bool)])
    assert_same_index(lexical, reference, np.concatenate([first_ids[kept_rows], later_ids]), questions_for(texts))


def test_deleting_everything_leaves_no_postings(database, texts):
    lexical = PostgresLexical(database)
    lexical.add([1, 2, 3], [index_tokens(t) for t in texts[:3]])
    lexical.delete([1, 2, 3])
    assert len(lexical) == 0
    assert database.query("SELECT count(*) FROM lexical_postings")[0][0] == 0
    assert database.query("SELECT count(*) FROM lexical_terms")[0][0] == 0
    assert lexical.scores(query_tokens("công tác kiểm tra")).top(10) == []


def test_a_document_deleted_from_the_store_leaves_the_lexical_index(database, texts):
    store, lexical = PostgresStore(database), PostgresLexical(database)
    documents = []
    for number, first_id in ((1, 1), (2, 11), (3, 21)):
        passages = [Passage(texts[first_id + i], i + 1, id=first_id + i) for i in range(10)]
        with store.transaction():
            saved, stored = store.insert_document(
                Document(title=f"Báo cáo {number}", source=f"bao-cao-{number}.txt", content_hash=f"hash-{number}"), passages)
            lexical.add([p.id for p in stored], [index_tokens(p.text) for p in stored])
        documents.append((saved, stored))

    with store.transaction():
        store.delete_document(documents[0][0].id)
    with database.writing() as conn:  # passages going with their document (ON DELETE CASCADE) go too
        conn.execute("DELETE FROM documents WHERE id = %s", (documents[2][0].id,))

    kept = documents[1][1]
    reference = file_index([(np.array([p.id for p in kept]), [index_tokens(p.text) for p in kept])])
    assert len(lexical) == 10
    assert_same_index(lexical, reference, np.array([p.id for p in kept]), QUESTIONS[:4])


def test_maxscore_looks_up_only_terms_whose_weights_stay_below_the_floor():
    terms = [QuestionTerm(key, passages, weight) for key, passages, weight in
             [(1, 900, 0.5), (2, 800, 0.7), (3, 300, 1.5), (4, 10, 4.0)]]
    assert common_count(terms, 1.3) == 2  # 0.5 + 0.7 < 1.3
    assert common_count(terms, 1.2) == 1  # strictly below
    assert common_count(terms, 0.0) == 0
    assert common_count(terms, 100.0) == 3  # the rarest term is always read


# ---------------------------------------------------------------- diacritic counts

def restoration_questions(texts: list[str]) -> list[str]:
    """Questions typed without diacritics: openings of passages, and the fixed questions, folded."""
    return [fold(" ".join(t.split()[:10])) for t in texts[::11]] + [fold(q) for q in QUESTIONS]


def test_restored_questions_equal_the_file_restorer(database, texts):
    table = SyllableTable.count(texts)
    counts = PostgresSyllableCounts(database)
    counts.add(table)
    ours, theirs = counts.restorer(), DiacriticRestorer([table])
    questions = restoration_questions(texts)
    restored = [theirs.restore(q) for q in questions]
    assert sum(r != q for r, q in zip(restored, questions)) > len(questions) // 2  # restoration did something
    assert [ours.restore(q) for q in questions] == restored
    assert list(counts.unigrams.items()) == list(table.unigrams.items())  # in order: the restorer breaks ties by it
    np.testing.assert_array_equal(counts.pair_count(table.pair_keys), table.pair_counts)
    assert counts.pair_count(np.array([1, 2, 3], dtype=np.uint64)).tolist() == [0, 0, 0]


def test_counts_after_removing_passages_equal_the_file_restorer_less_the_removed(database, texts):
    added, removed = SyllableTable.count(texts), SyllableTable.count(texts[::3])
    counts = PostgresSyllableCounts(database)
    before = counts.version()
    with database.transaction():
        counts.add(SyllableTable.count(texts[:100]))
        counts.add(SyllableTable.count(texts[100:]))
    counts.remove(removed)
    assert counts.version() == before + 3

    expected = SyllableTable.summed([added], [removed])
    assert list(counts.unigrams.items()) == list(expected.unigrams.items())
    np.testing.assert_array_equal(counts.pair_count(added.pair_keys), expected.pair_count(np.asarray(added.pair_keys)))
    assert database.query("SELECT count(*) FROM syllable_pair_counts")[0][0] == len(expected.pair_keys)
    questions = restoration_questions(texts)
    theirs = DiacriticRestorer([added], [removed])
    assert [counts.restorer().restore(q) for q in questions] == [theirs.restore(q) for q in questions]
