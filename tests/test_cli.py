"""The CLI contract other tools script against: python -m index build|add|remove|list|search."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.settings import SHIPPED_CORPUS

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, data_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "VANKIEN_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=env, capture_output=True, text=True, input=stdin)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "index"
    done = run("build", str(SHIPPED_CORPUS), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "25 đoạn" in done.stdout
    return data


def test_search_json_has_the_documented_shape(data_dir):
    done = run("search", "Quy định 371-QĐ/TU là gì?", "--json", "--top-k", "2", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"query", "answered", "took_ms", "results", "missing"}
    assert result["missing"] == ["Quy định 371-QĐ/TU"]  # the sample report mentions it; the library does not hold it
    assert result["answered"] is True and len(result["results"]) == 2
    first = result["results"][0]
    assert set(first) == {"rank", "score", "text", "highlight", "paragraph", "section", "path", "kind", "document"}
    assert set(first["document"]) == {"id", "title", "date", "source", "code", "type", "issuer", "signer", "status", "text_source"}
    assert "371-QĐ/TU" in first["text"] and first["rank"] == 1
    start, end = first["highlight"]
    assert "371-QĐ/TU" in first["text"][start:end]
    assert first["document"]["source"] == "vinh-phuc-xay-dung-dang-2021.txt"


def test_queries_file_prints_one_json_line_per_question_in_order(data_dir, tmp_path):
    questions = ["Nghị quyết 07-NQ/TU", "Cách nấu phở bò ngon", "xay dung nong thon moi nang cao kieu mau"]
    (tmp_path / "q.txt").write_text("\n".join(questions) + "\n", encoding="utf-8")
    done = run("search", "--queries", str(tmp_path / "q.txt"), data_dir=data_dir)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["query"] for line in lines] == questions
    assert [line["answered"] for line in lines] == [True, False, True]
    assert "nông thôn mới (nâng cao, kiểu mẫu)" in lines[2]["results"][0]["text"]


def test_list_json_names_each_document(data_dir):
    documents = json.loads(run("list", "--json", data_dir=data_dir).stdout)
    assert len(documents) == 1
    assert documents[0]["date"] == "2021-12-02" and documents[0]["passages"] == 25


def test_add_remove_round_trip(data_dir, tmp_path):
    data = tmp_path / "copy"
    import shutil

    shutil.copytree(data_dir, data)
    (tmp_path / "tb.md").write_text("# Thông báo 5-TB/TU\n\nHội nghị học tập nghị quyết tổ chức ngày 10/1/2022.\n", encoding="utf-8")
    added = run("add", str(tmp_path / "tb.md"), data_dir=data)
    assert added.returncode == 0, added.stderr
    documents = json.loads(run("list", "--json", data_dir=data).stdout)
    new_id = next(d["id"] for d in documents if d["source"] == "tb.md")
    assert run("remove", str(new_id), data_dir=data).returncode == 0
    assert len(json.loads(run("list", "--json", data_dir=data).stdout)) == 1


def test_bad_input_is_one_clear_line_and_a_non_zero_exit(data_dir, tmp_path):
    data = tmp_path / "copy"
    import shutil

    shutil.copytree(data_dir, data)
    (tmp_path / "hong.pdf").write_bytes(b"%PDF-1.7\n garbage without xref")
    for args in (["add", str(tmp_path / "hong.pdf")], ["add", str(tmp_path / "khong-co.txt")], ["remove", "999"]):
        done = run(*args, data_dir=data)
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        assert len([l for l in done.stderr.splitlines() if l.startswith("lỗi:")]) == 1
    assert len(json.loads(run("list", "--json", data_dir=data).stdout)) == 1


def test_search_on_an_empty_index_says_how_to_build_one(tmp_path):
    done = run("search", "Quy định 22-QĐ/TW", data_dir=tmp_path / "empty")
    assert done.returncode == 1
    assert "python -m index build" in done.stderr
