"""OCR runs inside the parsing child: its pages reach the caller as progress, and its time extends the timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import CorruptFile
from index.isolation import parse_isolated, parse_options, parse_timeout
from index.readers.ocr import OcrSettings
from tests.scans import NOTICE, scan_of, text_pdf


@pytest.fixture(scope="module")
def two_page_scan(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "quet-2-trang.pdf"
    path.write_bytes(scan_of(text_pdf([NOTICE, NOTICE])))
    return path


def test_pages_reach_the_caller_and_ocr_time_is_added_to_a_short_timeout(two_page_scan):
    pages: list[tuple[int, int]] = []

    document, passages = parse_isolated(two_page_scan, 10_000_000, timeout_s=1.5,
                                        progress=lambda done, total: pages.append((done, total)))

    assert pages == [(0, 2), (1, 2), (2, 2)]  # OCR alone takes longer than 1.5 s: the deadline grew with the pages
    assert document.text_source == "ocr" and passages


def test_options_set_for_a_block_reach_a_parse_that_does_not_pass_them(two_page_scan):
    pages: list[tuple[int, int]] = []

    with parse_options(OcrSettings(page_limit=1), lambda *page: pages.append(page)):
        with pytest.raises(Exception, match="2 trang cần nhận dạng chữ.*giới hạn 1 trang"):
            parse_isolated(two_page_scan, 10_000_000)

    assert pages == []  # refused before any page was read


def test_the_timeout_grows_by_the_page_time_of_two_pages_at_a_time():
    ocr = OcrSettings(page_seconds=30, workers=2)

    assert parse_timeout(60, ocr, 0) == 60
    assert parse_timeout(60, ocr, 12) == 60 + 12 * 30 / 2 + 30


def test_a_scan_still_stops_at_its_grown_deadline(two_page_scan):
    with pytest.raises(CorruptFile, match="Trang .* giây|quá phức tạp"):
        parse_isolated(two_page_scan, 10_000_000, timeout_s=0.5, ocr=OcrSettings(page_seconds=0.2))
