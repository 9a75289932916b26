"""What importing the index costs and pulls in: no threads at import, and a write path without the search."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_importing_the_search_and_the_lexical_index_starts_no_thread():
    assert run_python("import threading, index.search, index.lexical; print(len(threading.enumerate()))") == "1"


def test_the_write_path_does_not_import_the_search():
    imported = run_python(
        "import sys, index.segment_writer, index.generation, index.snapshot, index.passage_text; "
        "print(sorted(m for m in sys.modules if m == 'index.search'))"
    )
    assert imported == "[]"
