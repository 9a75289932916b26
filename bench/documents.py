"""Parser benchmark on real documents: metadata field by field, structure, stray signature passages, reading speed.

    python bench/documents.py DIR EXPECTED.jsonl [--json] [--timeout 60]

EXPECTED is JSON Lines, one object per file of DIR: {"file", "type", "code", "issuer", "date", "subject",
"title", "signer", "structure", "articles", "annex"?}. Each file is parsed the way the library indexes an
upload (index.isolation.parse_isolated: a limited child process), so a hostile file costs only itself.

Scoring per field: type exact after NFC, case-insensitive; code and date exact after NFC (an expected null
code must come out None); issuer and signer exact after diacritic and case folding (several signers: ours are
joined by "; "); subject by folded containment either way; title when it contains the expected subject
(folded, its leading "V/v"/"Về việc"/"Về" dropped, since a title says "về việc ..." in its own words).
A second, tolerant overall lets subject and title differ by SLIPS letters: expected.jsonl corrects the typos
of the printed page itself ("công ghiệp" on S17's page), which a faithful reading keeps.
Files are also split into text-bearing ones and the hard ones (scanned or OCR'd, legacy-font, .doc, refused).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.documents import ATTACHMENT_KINDS, TEXT_LAYER, Document, Passage  # noqa: E402
from index.errors import VankienError  # noqa: E402
from index.isolation import parse_isolated  # noqa: E402
from index.readers import MAX_BYTES  # noqa: E402

try:  # another bench module measures the readers in detail; use it when it is there
    from file_reading import read_report  # type: ignore[import-not-found]
except ImportError:
    read_report = None

try:
    from index.readers.legibility import legibility
except ImportError:
    legibility = None

FIELDS = ("type", "code", "date", "issuer", "signer", "subject", "title")
OWN_ATTRIBUTE = {"type": "doc_type"}  # expected field -> Document attribute, where the names differ
# Division kinds as expected.jsonl's "structure" names them; "number" is split by depth ("1", "1.1", "1.1.1").
STRUCTURE_NAMES = {
    "phan": "Phần", "chuong": "Chương", "muc": "Mục", "dieu": "Điều", "khoan": "khoản", "diem": "điểm",
    "roman": "I", "letter": "a)", "paren": "(1)",
}
BULLETS = ("-", "+")  # expected levels that are not divisions of ours (dash and plus items stay inside passages)
_SUBJECT_LEAD = re.compile(r"^(v/v|về việc|về)\s+", re.IGNORECASE)
_SIGNATURE_LEAD = re.compile(r"^(T/M|TM\.|KT\.|K/T|Q\.|TL\.|TUQ\.)\s*", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def folded(text: str) -> str:
    """NFC, diacritics and case folded (đ→d), whitespace collapsed: how names and subjects are compared."""
    text = unicodedata.normalize("NFD", nfc(text))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")
    return re.sub(r"\s+", " ", text).strip().lower()


SLIPS = 2  # letters a subject may differ by in the tolerant score: a typo of the page itself, an OCR slip


def nearly_contains(big: str, small: str, slips: int) -> bool:
    """`small` inside `big` but for at most `slips` letters (missing, extra or changed), in one stretch of `big`."""
    if small in big:
        return True
    matcher = difflib.SequenceMatcher(None, small, big, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return False
    matched = sum(b.size for b in blocks)
    stretch = blocks[-1].b + blocks[-1].size - blocks[0].b
    return len(small) - matched <= slips and stretch - matched <= slips


def field_right(name: str, expected, ours: str | None, slips: int = 0) -> bool:
    """One metadata field against expected.jsonl, by the README's suggested rule for it; `slips` letters of
    difference tolerated in subject and title (the tolerant score, printed beside the strict one)."""
    if isinstance(expected, list):
        expected = "; ".join(expected)
    if expected is None:
        return ours is None
    if not ours:
        return False
    if name == "type":
        return nfc(ours).casefold() == nfc(expected).casefold()
    if name in ("code", "date"):
        return nfc(ours).strip() == nfc(expected).strip()
    if name in ("issuer", "signer", "place"):
        return folded(ours) == folded(expected)
    if name == "subject":
        a, b = folded(ours), folded(expected)
        return nearly_contains(b, a, slips) or nearly_contains(a, b, slips)
    if name == "title":
        return nearly_contains(folded(ours), folded(_SUBJECT_LEAD.sub("", nfc(expected).strip())), slips)
    raise ValueError(name)


def own_value(document: Document, name: str) -> str | None:
    if name == "subject":
        return document.subject
    return getattr(document, OWN_ATTRIBUTE.get(name, name))


def is_closing(text: str) -> bool:
    """A passage that is the signature block or the recipients list rather than body text."""
    lines = [line.strip() for line in text.strip().splitlines()]
    first = lines[0] if lines else ""
    if any(folded(line).startswith("noi nhan") for line in lines):
        return True
    if _SIGNATURE_LEAD.match(first):
        return True
    return is_bare_name(text.strip())


def is_bare_name(text: str) -> bool:
    """ "Nguyễn Thành Sinh": two to five title-case words and nothing else (all-capital lines are headings)."""
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 50:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def structure_label(kind: str, number: str) -> str:
    if kind == "number":
        depth = number.split("–")[0].strip(".").count(".")
        return ".".join(["1"] * (depth + 1))
    return STRUCTURE_NAMES.get(kind, kind)


def structure_of(passages: list[Passage]) -> tuple[list[str], list[str], int, int]:
    """(own division kinds outermost first, attachment kinds, own Điều count, attachment Điều count)."""
    depths: dict[str, list[int]] = {}
    annex_depths: dict[str, list[int]] = {}
    own_articles: set[str] = set()
    annex_articles: set[tuple[int, str, str]] = set()
    for passage in passages:
        attachment = None
        for position, division in enumerate(passage.path):
            if division.kind in ATTACHMENT_KINDS:
                attachment = position
                continue
            label = structure_label(division.kind, division.number)
            if attachment is None:
                depths.setdefault(label, []).append(position)
                if division.kind == "dieu":
                    own_articles.add(division.number)
            else:
                annex_depths.setdefault(label, []).append(position - attachment - 1)
                if division.kind == "dieu":
                    annex_articles.add((attachment, division.number, passage.path[attachment].number))

    def ordered(found: dict[str, list[int]]) -> list[str]:
        return sorted(found, key=lambda label: (statistics.mean(found[label]), label))

    return ordered(depths), ordered(annex_depths), len(own_articles), len(annex_articles)


@dataclass
class FileScore:
    name: str
    refused: str | None
    document: Document | None
    passages: list[Passage]
    seconds: float
    reading: dict = field(default_factory=dict)
    right: dict[str, bool] = field(default_factory=dict)
    right_with_slips: dict[str, bool] = field(default_factory=dict)
    hard: bool = False
    illegible: bool = False

    def value(self, name: str) -> str | None:
        if self.document is None:
            return None
        return own_value(self.document, name)


def score_file(path: Path, expected: dict, timeout_s: float) -> FileScore:
    started = time.perf_counter()
    try:
        document, passages = parse_isolated(path, MAX_BYTES, timeout_s=timeout_s)
        refused = None
    except VankienError as error:
        document, passages, refused = None, [], str(error)
    seconds = time.perf_counter() - started
    score = FileScore(path.name, refused, document, passages, seconds)
    if read_report is not None:
        try:
            score.reading = dict(read_report(path))
        except Exception as error:  # the report is extra; a failing one must not stop the benchmark
            score.reading = {"error": f"{type(error).__name__}: {error}"}
    for name in FIELDS:
        wanted = expected.get("subject" if name == "title" else name)  # a title is scored by the subject it holds
        score.right[name] = document is not None and field_right(name, wanted, own_value(document, name))
        score.right_with_slips[name] = document is not None and field_right(name, wanted, own_value(document, name), SLIPS)
    if legibility is not None and passages:
        score.illegible = not legibility("\n".join(p.text for p in passages)).legible
    text_source = document.text_source if document else None
    score.hard = refused is not None or text_source != TEXT_LAYER or path.suffix.lower() == ".doc" or score.illegible
    return score


def file_format(score: FileScore, path: Path) -> str:
    return str(score.reading.get("format") or path.suffix.lower().lstrip("."))


def text_source(score: FileScore) -> str:
    if score.reading.get("text_source"):
        return str(score.reading["text_source"])
    if score.document is None:
        return "refused"
    return score.document.text_source + (" (illegible)" if score.illegible else "")


def pdf_pages(path: Path) -> int | None:
    if path.suffix.lower() != ".pdf":
        return None
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:
        return None


def shares(scores: list[FileScore]) -> dict:
    per_field = {name: sum(s.right[name] for s in scores) for name in FIELDS}
    total = sum(per_field.values())
    tolerant = sum(s.right_with_slips[name] for s in scores for name in FIELDS)
    cells = len(scores) * len(FIELDS)
    return {
        "files": len(scores),
        "per_field": {name: per_field[name] / len(scores) if scores else None for name in FIELDS},
        "overall": total / cells if scores else None,
        "overall_with_slips": tolerant / cells if scores else None,
    }


def warm_up() -> None:
    """Start the parse server before the clock runs, so the first file is not charged the interpreter start."""
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "warm-up.txt"
        sample.write_text("Văn bản thử nghiệm để khởi động bộ đọc tệp.\n", encoding="utf-8")
        try:
            parse_isolated(sample, MAX_BYTES)
        except VankienError:
            pass


def mark(right: bool) -> str:
    return "✓" if right else "✗"


def clip(text: str | None, limit: int = 70) -> str:
    if text is None:
        return "None"
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("expected", type=Path)
    parser.add_argument("--json", action="store_true", help="print a machine-readable summary instead of tables")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a file may take (the library's default)")
    args = parser.parse_args()

    expected_rows = [json.loads(line) for line in args.expected.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected = {row["file"]: row for row in expected_rows}
    files = sorted(p for p in args.dir.iterdir() if p.is_file() and not p.name.startswith("."))
    warm_up()
    scores, rows = [], []
    for path in files:
        row = expected.get(path.name)
        if row is None:
            print(f"note: {path.name} has no line in {args.expected.name}; skipped", file=sys.stderr)
            continue
        score = score_file(path, row, args.timeout)
        scores.append(score)
        ours, annex_ours, articles, annex_articles = structure_of(score.passages)
        pages = score.reading.get("pages") or pdf_pages(path)
        ppm = score.reading.get("pages_per_minute") or (pages * 60 / score.seconds if pages and score.seconds else None)
        closing = [p for p in score.passages if is_closing(p.text)]
        annex = row.get("annex") or {}
        rows.append({
            "file": path.name,
            "refused": score.refused,
            "format": file_format(score, path),
            "text_source": text_source(score),
            "hard": score.hard,
            "seconds": round(score.reading.get("seconds") or score.seconds, 2),
            "pages": pages,
            "pages_per_minute": round(ppm, 1) if ppm else None,
            "passages": len(score.passages),
            "closing_passages": len(closing),
            "closing_examples": [clip(p.text, 60) for p in closing[:3]],
            "fields": {name: {"right": score.right[name], "ours": score.value(name), "expected": row.get(name)} for name in FIELDS},
            "structure": {"ours": ours, "expected": row.get("structure"),
                          "right": ours == row.get("structure"),
                          "right_without_bullets": ours == [k for k in row.get("structure") or [] if k not in BULLETS]},
            "articles": {"ours": articles, "expected": row.get("articles"), "right": articles == (row.get("articles") or 0)},
            "annex": {"structure": annex_ours, "articles": annex_articles,
                      "expected_structure": annex.get("structure"), "expected_articles": annex.get("articles")},
        })

    easy = [s for s in scores if not s.hard]
    hard = [s for s in scores if s.hard]
    summary = {"all": shares(scores), "text_bearing": shares(easy), "hard": shares(hard),
               "closing_passages": sum(r["closing_passages"] for r in rows),
               "structure_right": sum(r["structure"]["right_without_bullets"] for r in rows),
               "articles_right": sum(r["articles"]["right"] for r in rows),
               "files": rows}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0

    print(f"{'file':58s} " + " ".join(f"{n[:7]:>7s}" for n in FIELDS))
    for score, row in zip(scores, rows):
        print(f"{score.name[:58]:58s} " + " ".join(f"{mark(score.right[n]):>7s}" for n in FIELDS)
              + ("   [hard]" if score.hard else ""))
        if score.refused:
            print(f"    refused: {score.refused}")
            continue
        for name in FIELDS:
            if not score.right[name]:
                print(f"    {name}: ours {clip(score.value(name))!s}  | expected {clip(json.dumps(row['fields'][name]['expected'], ensure_ascii=False))}")
    print()
    print(f"{'file':58s} {'format':>6s} {'source':>16s} {'s':>6s} {'pages':>5s} {'p/min':>6s} {'pass.':>5s} {'closing':>7s}")
    for row in rows:
        print(f"{row['file'][:58]:58s} {row['format']:>6s} {row['text_source']:>16s} {row['seconds']:6.2f} "
              f"{row['pages'] if row['pages'] is not None else '-':>5} {row['pages_per_minute'] if row['pages_per_minute'] else '-':>6} "
              f"{row['passages']:5d} {row['closing_passages']:7d}")
        for example in row["closing_examples"]:
            print(f"    closing passage: {example}")
    print()
    print(f"{'file':58s} structure ours | expected;  Điều ours/expected")
    for row in rows:
        s, a = row["structure"], row["articles"]
        verdict = "✓" if s["right"] else ("≈" if s["right_without_bullets"] else "✗")
        line = (f"{row['file'][:58]:58s} {verdict} {'/'.join(s['ours']) or '[]'} | {'/'.join(s['expected'] or []) or '[]'};"
                f"  {mark(a['right'])} Điều {a['ours']}/{a['expected']}")
        if row["annex"]["expected_articles"] is not None or row["annex"]["articles"]:
            x = row["annex"]
            line += (f";  annex {'/'.join(x['structure']) or '[]'} | {'/'.join(x['expected_structure'] or []) or '[]'}"
                     f" Điều {x['articles']}/{x['expected_articles']}")
        print(line)
    print("  (≈: equal once the expected '-'/'+' bullet levels, which are not divisions, are dropped)")
    print()
    for label, part in (("all files", summary["all"]), ("text-bearing", summary["text_bearing"]), ("hard (scan/OCR/legacy/.doc/refused)", summary["hard"])):
        if not part["files"]:
            print(f"{label}: no files")
            continue
        fields = "  ".join(f"{n} {part['per_field'][n]:.2f}" for n in FIELDS)
        print(f"{label} ({part['files']} files): {fields}  | overall {part['overall']:.3f}"
              f" ({part['overall_with_slips']:.3f} with up to {SLIPS} letters of slip in subject and title)")
    print(f"signature/recipient passages: {summary['closing_passages']} (target 0);  structure right (≈): "
          f"{summary['structure_right']}/{len(rows)};  Điều count right: {summary['articles_right']}/{len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
