"""PDF: each page's text layer when it reads as Vietnamese, decoded when typed in a legacy font, OCR'd otherwise;
page text re-flowed into paragraphs."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from index.documents import DigitalSignature, DECODED, OCR, TEXT_LAYER, Block, ParsedFile
from index.errors import CorruptFile
from index.formal.urgency import urgency_of
from index.headings import ARTICLE_LINE, ROMAN_HEADING, part_title_start
from index.readers.legacy_encodings import repair_text
from index.readers.legibility import legibility
from index.readers.ocr import OcrSettings, PageProgress, ocr_pdf_pages, page_limit_error
from index.sentences import ends_sentence
from index.vietnamese import is_all_caps

logger = logging.getLogger(__name__)

MAX_PAGES = 2000
MIN_LETTERS = 20  # a page with fewer letters in its text layer (and an image on it) is a scan
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:(?:Trang|Page)\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_BULLET = re.compile(r"^[-+•·]\s*(.)")
_NUMBERED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}\.|[a-zđ]\)|\(\d{1,3}\))\s+[A-ZĐ\u00c0-\u1ef9]")  # "1.1. Về", "a) Súng", "(1) Ban"
_HYPHENATED = re.compile(r"\w-$")
_COLUMN_GAP = re.compile(r"\S {3,}\S")  # side-by-side columns on one printed line (pdftotext -layout)
_INDENT = 3  # a first line indented this much more than the page's left margin starts a paragraph  # searched in the last two characters only: paragraphs may be long


def read_pdf(
    data: bytes, source: str, max_pages: int = MAX_PAGES, ocr: OcrSettings = OcrSettings(),
    progress: PageProgress | None = None,
) -> ParsedFile:
    """A file that opens only with a password is refused (an empty password is tried first); at most `max_pages` are read.

    Pages whose text layer is missing or unreadable are OCR'd (at most `ocr.page_limit` of them); the others keep
    their text layer, decoded from TCVN3/VNI/VISCII when typed in such a font.
    """
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise CorruptFile.password_protected(source)
        if len(reader.pages) == 0:
            raise CorruptFile.unreadable(source)
        page_count = min(len(reader.pages), max_pages)
        layer = _layout_pages(data, page_count) or [page.extract_text() or "" for page in reader.pages[:page_count]]
        layer += [""] * (page_count - len(layer))
        unstamped = [without_stamps(text) for text in layer]
        layer = [text for text, _ in unstamped]
        read = [page_text(text, _has_image(page)) for text, page in zip(layer, reader.pages[:page_count])]
        title = _metadata_title(reader)
        signatures = _signatures(reader) + tuple(stamp for _, stamps in unstamped for stamp in stamps)
    except CorruptFile:
        raise
    except Exception as error:  # pypdf raises many types on a damaged file
        logger.debug("pypdf failed on %s: %r", source, error)
        raise CorruptFile.unreadable(source) from error
    scanned = [number for number, (_, kind) in enumerate(read) if kind == OCR]
    if len(scanned) > ocr.page_limit:
        raise page_limit_error(source, len(scanned), ocr.page_limit)
    sizes = {number: _size(reader.pages[number]) for number in scanned}
    recognised = ocr_pdf_pages(data, scanned, source, ocr, progress, sizes) if scanned else {}
    pages = [recognised.get(number, text) for number, (text, _) in enumerate(read)]
    kinds = {kind for _, kind in read}
    text_source = OCR if OCR in kinds else DECODED if DECODED in kinds else TEXT_LAYER
    return ParsedFile(source=source, blocks=tuple(Block(text) for text in paragraphs(pages)), title=title,
                      text_source=text_source, pages=len(read), signatures=signatures)


_SIGNED_BY = re.compile(r"^\s*([^<>\n]{2,80}?)\s*(?:<[^>]*>)?\s*(?:đã\s+ký|đã\s+phê\s+duyệt|signed)", re.IGNORECASE)
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})")


_STAMP_FIELD = re.compile(
    r"^(Ký bởi|Người ký|Cơ quan|Thời gian ký|Ngày ký|Email|E-mail|Chức vụ)\s*:\s*(.*)$", re.IGNORECASE
)
_STAMP_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")


def without_stamps(page: str) -> tuple[str, list[DigitalSignature]]:
    """The page without the text of its e-signature stamps ("Ký bởi: Bộ Công Thương / Cơ quan: ... / Thời gian
    ký: 02.04.2026 14:24:26"), which is not the document's text, and those stamps as signatures."""
    kept: list[str] = []
    stamps: list[DigitalSignature] = []
    current: dict[str, str] = {}

    def close() -> None:
        signer = current.get("ký bởi") or current.get("người ký") or current.get("cơ quan")
        if signer:
            when = _STAMP_DATE.search(current.get("thời gian ký") or current.get("ngày ký") or "")
            signed_on = f"{when[3]}-{int(when[2]):02d}-{int(when[1]):02d}" if when else None
            stamps.append(DigitalSignature(signer.strip(), signed_on, current.get("cơ quan"), visible=True))
        current.clear()

    for line in page.split("\n"):
        segments = re.split(r"(\s{3,})", line)
        fields = [_STAMP_FIELD.match(segment.strip()) for segment in segments[::2]]
        if not any(fields):
            if current:
                close()
            kept.append(line)
            continue
        for field in fields:
            if field:
                key = field.group(1).lower()
                if key in current and key in ("ký bởi", "người ký"):
                    close()
                current[key] = field.group(2).strip()
        rest = "".join(part if index % 2 else ("" if fields[index // 2] else part) for index, part in enumerate(segments))
        if rest.strip():
            kept.append(rest)
    if current:
        close()
    return "\n".join(kept), stamps


def _signatures(reader: PdfReader) -> tuple[DigitalSignature, ...]:
    """The electronic signatures (/Sig fields): the signer named in /Reason ("Phạm Minh Hà<...> đã ký lên văn
    bản này!") or /Name, the date of /M. Vietnamese e-office systems stamp the issuing body's signature too."""
    found: list[DigitalSignature] = []
    try:
        fields = reader.get_fields() or {}
    except Exception:  # a broken AcroForm should not cost us the text
        return ()
    for field in fields.values():
        value = field.get("/V")
        value = value.get_object() if hasattr(value, "get_object") else value
        if not isinstance(value, dict) or value.get("/Type") not in ("/Sig", None) or field.get("/FT") != "/Sig":
            continue
        reason = str(value.get("/Reason") or "")
        by = _SIGNED_BY.match(reason)
        signer = (by.group(1) if by else str(value.get("/Name") or "")).strip()
        if not signer:
            continue
        date = _PDF_DATE.match(str(value.get("/M") or ""))
        found.append(DigitalSignature(signer, f"{date[1]}-{date[2]}-{date[3]}" if date else None,
                                      str(value.get("/Location") or "") or None))
    return tuple(sorted(found, key=lambda s: s.signed_on or ""))


def page_text(extracted: str, has_image: bool = True) -> tuple[str, str]:
    """(text, where it comes from): the text layer as it is (TEXT_LAYER), decoded from a legacy font (DECODED),
    or ("", OCR) when the page must be OCR'd: too little text on a page with an image, or text no decoding reads."""
    if sum(ch.isalpha() for ch in extracted) < MIN_LETTERS:
        return (extracted, TEXT_LAYER) if not has_image else ("", OCR)
    if legibility(extracted).legible:
        return extracted, TEXT_LAYER
    repaired, encoding = repair_text(extracted)
    return (repaired, DECODED) if encoding else ("", OCR)


def _size(page) -> tuple[float, float] | None:
    try:
        return float(page.mediabox.width), float(page.mediabox.height)
    except Exception:  # a broken box: render at the default resolution
        return None


def _has_image(page) -> bool:
    """An image drawn on the page, directly or inside a form (where scanners put it)."""
    try:
        return _resources_have_image(page.get("/Resources"), depth=0)
    except Exception:  # a damaged resource dictionary: assume a scan rather than lose the page
        return True


def _resources_have_image(resources, depth: int) -> bool:
    if resources is None or depth > 3:
        return False
    objects = resources.get_object().get("/XObject")
    if objects is None:
        return False
    for reference in objects.get_object().values():
        item = reference.get_object()
        subtype = item.get("/Subtype")
        if subtype == "/Image" or (subtype == "/Form" and _resources_have_image(item.get("/Resources"), depth + 1)):
            return True
    return False


def _layout_pages(data: bytes, page_count: int, timeout_s: float = 120) -> list[str] | None:
    """Page texts from poppler's pdftotext -layout: printed lines in reading order, columns kept apart by
    runs of spaces (the two-column header and signature block of formal documents). pypdf's own layout mode
    scrambles words on justified lines; its plain mode interleaves the header's columns. None when poppler
    is not installed or fails on the file (pypdf's plain text is used then)."""
    binary = shutil.which("pdftotext")
    if binary is None or page_count == 0:
        return None
    try:
        result = subprocess.run(
            [binary, "-layout", "-enc", "UTF-8", "-l", str(page_count), "-", "-"],
            input=data, capture_output=True, timeout=timeout_s, check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.debug("pdftotext failed: %r", error)
        return None
    if result.returncode != 0:
        return None
    pages = result.stdout.decode("utf-8", errors="replace").split("\f")
    return pages[:page_count]


def paragraphs(pages: list[str]) -> list[str]:
    """Blank lines separate paragraphs when the PDF has them; otherwise a line ending a sentence does.

    Page-number lines are dropped and pages are joined, so a paragraph may run across a page break. An urgency
    stamp ("KHẨN", "HỎA TỐC") is a paragraph of its own, never joined to the capitals type line below it.
    """
    raw = [line.rstrip() for page in pages for line in page.replace("\r", "\n").split("\n")]
    raw = [line for line in raw if not _PAGE_NUMBER.match(line)]
    margin = min((len(line) - len(line.lstrip()) for line in raw if line.strip()), default=0)
    lines = [line.strip() for line in raw]
    indents = [len(line) - len(line.lstrip()) - margin if line.strip() else 0 for line in raw]
    has_blank_lines = sum(1 for line in lines[1:-1] if not line) > len(lines) / 20  # not just the odd gap
    groups: list[list[str]] = [[]]
    for line, indent, previous_indent in zip(lines, indents, [0, *indents]):
        if not line:
            if has_blank_lines or any(_COLUMN_GAP.search(l) for l in groups[-1]):
                groups.append([])
            continue
        current = groups[-1]
        boundary = _numbered_boundary if has_blank_lines else _starts_paragraph
        columns = bool(_COLUMN_GAP.search(line)) or bool(current and _COLUMN_GAP.search(current[-1]))
        indented = indent >= _INDENT and previous_indent < _INDENT and bool(current) and _starts_upper(line)
        if current and (columns or indented or _stamp_boundary(current[-1], line) or boundary(current[-1], line)):
            groups.append(current := [])
        current.append(line)
    return [text for text in (_unwrap(group) for group in groups) if text]


def _stamp_boundary(previous: str, line: str) -> bool:
    """An urgency stamp in capitals ('KHẨN') is no heading to join to the capitals type line below it."""
    return urgency_of(previous) is not None or urgency_of(line) is not None


def _starts_paragraph(previous: str, line: str) -> bool:
    """Headings and bullets start their own paragraph; so does a capital after a line that ends a sentence."""
    if _heading_boundary(previous, line):
        return True
    bullet = _BULLET.match(line)
    if (bullet and bullet.group(1).isupper()) or _NUMBERED.match(line):
        return True
    caps_heading_ends = is_all_caps(previous) and not is_all_caps(line)
    return _starts_upper(line) and (caps_heading_ends or ends_sentence(previous))


def _numbered_boundary(previous: str, line: str) -> bool:
    """Inside blank-line paragraphs, numbered points ('1.1. Về tuổi đời', 'a) ...', '- Căn cứ') start their own."""
    return _heading_boundary(previous, line) or bool(_NUMBERED.match(line)) or bool(
        (bullet := _BULLET.match(line)) and bullet.group(1).isupper()
    )


def _heading_boundary(previous: str, line: str) -> bool:
    """'Điều 5. Phạm vi' stays a line of its own even inside a blank-line paragraph."""
    return _is_heading_line(line) or (_is_heading_line(previous) and _starts_upper(line))


def _starts_upper(line: str) -> bool:
    return line[0].isupper() or line[0].isdigit() or line[0] in "\"“(‘"


def _is_heading_line(line: str) -> bool:
    """'Điều 5.', 'Chương II', 'Mục 1 ...' (followed by nothing or a capital) and 'II. ...' headings."""
    title = part_title_start(line)
    if title is not None:
        return title == len(line) or line[title].isupper()
    return bool(ARTICLE_LINE.match(line) or ROMAN_HEADING.match(line))


def _unwrap(lines: list[str]) -> str:
    """Join wrapped lines: a word broken with a hyphen is re-joined, anything else gets a space."""
    text = ""
    for line in lines:
        if not text:
            text = line
        elif _HYPHENATED.search(text[-2:]) and line[0].islower():
            text = text[:-1] + line
        elif _HYPHENATED.search(text[-2:]):
            text += line
        else:
            text += " " + line
    return text


def _opens_without_password(reader: PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except (FileNotDecryptedError, DependencyError, NotImplementedError):
        return False


def _metadata_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata is not None else None
    except Exception:  # a broken info dictionary should not cost us the text
        return None
    return title.strip() if isinstance(title, str) and title.strip() else None
