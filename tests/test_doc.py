"""Word 97 .doc through antiword and .rtf through striprtf: paragraphs and table cells in reading order.

The .doc is a real one (tests/fixtures/README.md says where it comes from): a .doc cannot be generated here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from index.errors import MissingTool
from index.readers import read_file

ROOT = Path(__file__).resolve().parent.parent
THONG_TU = ROOT / "tests" / "fixtures" / "TT-38-2025-TT-BCT.doc"


def texts(path: Path) -> list[str]:
    return [block.text for block in read_file(path).blocks]


def test_doc_header_table_cells_come_first_in_reading_order():
    blocks = texts(THONG_TU)

    assert blocks[:4] == ["BỘ CÔNG THƯƠNG\n-------",
                          "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------",
                          "Số: 38/2025/TT-BCT", "Hà Nội, ngày 19 tháng 6 năm 2025"]
    assert blocks[4] == "THÔNG TƯ"


def test_doc_paragraphs_keep_their_vietnamese_and_their_order():
    blocks = texts(THONG_TU)

    first = blocks.index("Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;")
    article = next(i for i, text in enumerate(blocks) if text.startswith("Điều 1. Sửa đổi, bổ sung một số điều"))
    assert first < article
    assert blocks[article + 1] == "1. Sửa đổi, bổ sung khoản 1 Điều 4 như sau:"


def test_doc_signature_sits_beside_the_recipients_as_two_cells_at_the_end():
    blocks = texts(THONG_TU)

    recipients = next(i for i, text in enumerate(blocks) if text.startswith("Nơi nhận:"))
    assert blocks[recipients + 1] == "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\nPhan Thị Thắng"
    assert "- Lưu: VT, VPB(10)." in blocks[recipients]
    assert not any("[pic]" in text for text in blocks)


def test_doc_without_antiword_installed_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(MissingTool, match="Cần cài antiword"):
        read_file(THONG_TU)


def test_rtf_paragraphs_and_table_row_with_unicode_and_code_page_escapes(tmp_path):
    rtf = (rb"{\rtf1\ansi\ansicpg1258\deff0{\fonttbl{\f0 Times New Roman;}}"
           rb"\trowd\cellx4000\cellx9000 B\u7896? C\'d4NG TH\u431?\u416?NG\cell C\u7896?NG H\u210?A X\u195? H\u7896?I\cell\row"
           rb"\pard Ch\u7881? th\u7883? v\u7873? ki\u7875?m tra kho v\u7853?t li\u7879?u n\u7893?.\par"
           rb"\pard Kho ph\u7843?i c\'f3 bi\u7875?n b\'e1o.\par}")
    path = tmp_path / "chi-thi.rtf"
    path.write_bytes(rtf)

    assert texts(path) == ["BỘ CÔNG THƯƠNG   CỘNG HÒA XÃ HỘI", "Chỉ thị về kiểm tra kho vật liệu nổ.",
                           "Kho phải có biển báo."]


def test_cli_adds_the_doc_and_answers_from_it(tmp_path):
    data = tmp_path / "index"

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "index", *args, "--data-dir", str(data)], cwd=ROOT,
                              capture_output=True, text=True)

    added = cli("add", str(THONG_TU))
    assert added.returncode == 0, added.stderr
    found = cli("search", "cơ quan nào cấp giấy phép dịch vụ nổ mìn trên thềm lục địa")
    assert "thềm lục địa" in found.stdout
