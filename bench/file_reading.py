"""How one file is read: its format, where the text came from, seconds, pages, OCR pages per minute.

    .venv/bin/python bench/file_reading.py FILE...     # one line per file, then OCR pages/minute overall

`read_report(path)` is the measurement bench/documents.py imports. OCR runs at 300 dpi, two pages at a
time (one Tesseract thread each), as the indexer does; the machine's core count is printed with the numbers.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.documents import OCR  # noqa: E402
from index.readers import read_file  # noqa: E402
from index.readers.ocr import OcrSettings  # noqa: E402

_FORMATS = {b"%PDF": "pdf", b"\xd0\xcf\x11\xe0": "doc", b"PK\x03\x04": "docx", b"{\\rt": "rtf",
            b"\xff\xd8\xff": "jpeg", b"\x89PNG": "png", b"II*\x00": "tiff", b"MM\x00*": "tiff"}


def read_report(path: Path, ocr: OcrSettings = OcrSettings()) -> dict:
    """{format, text_source ("text"/"decoded"/"ocr"), seconds, pages, pages_per_minute (OCR'd files only)}."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    pages_read: list[int] = []
    started = time.perf_counter()
    parsed = read_file(path, ocr=ocr, progress=lambda done, total: pages_read.append(total))
    seconds = time.perf_counter() - started
    ocr_pages = pages_read[-1] if pages_read else 0
    return {
        "format": next((kind for magic, kind in _FORMATS.items() if head.startswith(magic)), path.suffix.lstrip(".") or "txt"),
        "text_source": parsed.text_source,
        "seconds": round(seconds, 2),
        "pages": parsed.pages,
        "ocr_pages": ocr_pages,
        "pages_per_minute": round(60 * ocr_pages / seconds, 1) if parsed.text_source == OCR and ocr_pages else None,
    }


def main(paths: list[str]) -> int:
    settings = OcrSettings()
    print(f"# {os.cpu_count()} cores, OCR at {settings.dpi} dpi, {settings.workers} pages at a time")
    ocr_pages = ocr_seconds = 0.0
    for name in paths:
        report = read_report(Path(name), settings)
        print(json.dumps({"file": Path(name).name, **report}, ensure_ascii=False))
        if report["text_source"] == OCR:
            ocr_pages += report["ocr_pages"]
            ocr_seconds += report["seconds"]
    if ocr_pages:
        print(f"OCR: {ocr_pages:.0f} pages in {ocr_seconds:.1f} s = {60 * ocr_pages / ocr_seconds:.1f} pages/minute")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
