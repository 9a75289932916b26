"""How a citation names a formal document and its issuer, from the header's parts."""

from __future__ import annotations

import re

from index.formal.casing import lower_first, sentence_case
from index.vietnamese import fold

_PLACE_CONTINUATION = ("tinh ", "thanh pho ", "huyen ", "xa ", "phuong ", "quan ", "thi xa ")
_PARTY_COMMITTEES = ("tinh uy", "thanh uy", "huyen uy", "quan uy", "thi uy", "dang uy", "dang bo", "ban chap hanh")
_LEGAL_TYPES = {"Luật", "Bộ luật", "Nghị định", "Thông tư", "Thông tư liên tịch", "Pháp lệnh", "Lệnh"}
_VERB_SUBJECTS = (
    "ban hanh", "quy dinh", "sua doi", "bo sung", "trien khai", "huong dan", "phe duyet", "thanh lap", "bai bo",
    "giao ", "cong bo", "ve ", "v/v",
)


def issuer_name(lines: list[str], clarification: str | None = None) -> str | None:
    """'THÀNH UỶ HÀ NỘI' / 'BAN TỔ CHỨC' -> 'Ban Tổ chức Thành ủy Hà Nội'; 'BỘ CÔNG THƯƠNG' / 'CỤC HÓA CHẤT' ->
    'Cục Hóa chất, Bộ Công Thương'; 'UBND TỈNH LÀO CAI' / 'SỞ CÔNG THƯƠNG' -> 'Sở Công Thương tỉnh Lào Cai'."""
    levels: list[str] = []
    for line in lines:
        text = sentence_case(line.strip(" *-"))
        if levels and fold(text).startswith(_PLACE_CONTINUATION):
            levels[-1] = f"{levels[-1]} {text[:1].lower()}{text[1:]}"
        elif text:
            levels.append(text)
    if clarification:  # "CỦA BAN THƯỜNG VỤ TỈNH ỦY" under the type: that body of the committee above issues it
        body = sentence_case(re.sub(r"^của\s+", "", clarification, flags=re.IGNORECASE))
        head = re.match(r"(Ban [A-ZĐ]\w*(?: [a-zđ]\w*)*)", body)
        if head and levels:
            levels.append(head.group(1))
    if not levels:
        return None
    if len(levels) == 1:
        return levels[0]
    parent, child = levels[-2], levels[-1]
    folded_parent = fold(parent)
    if fold(child).startswith("ban ") and folded_parent.startswith(_PARTY_COMMITTEES):
        return f"{child} {parent}"
    place = re.search(r"\b(tỉnh|thành phố|huyện|xã|phường|quận)\s+(.+)$", parent)
    if place and folded_parent.startswith(("uy ban nhan dan", "ubnd", "hoi dong nhan dan", "hdnd")):
        return f"{child} {place.group(1)} {place.group(2)}"
    return f"{child}, {parent}"


def citation_title(
    doc_type: str | None, code: str | None, issuer: str | None, subject: str | None, session: str | None = None
) -> str | None:
    """'Quy định số 294-QĐ/TW về thi hành Điều lệ Đảng', 'Luật Thanh tra số 84/2025/QH15',
    'Hướng dẫn của Ban Tổ chức Thành ủy Hà Nội về thực hiện ...', 'Nghị quyết số 12-NQ/TW Hội nghị lần thứ năm
    ... về ...' (the session named under the type, when there is one)."""
    if doc_type is None:
        return None
    subject = (subject or "").strip()
    if doc_type in {"Luật", "Bộ luật", "Pháp lệnh"} and subject:
        return f"{doc_type} {subject}" + (f" số {code}" if code else "")
    parts = [doc_type]
    if code:
        parts.append(f"số {code}")
    if issuer and (not code or doc_type not in _LEGAL_TYPES and not _central(code)) and not _issuer_in_code_only(doc_type, code):
        parts.append(f"của {issuer}")
    if session:
        parts.append(session)
    if subject:
        folded = fold(subject)
        if folded.startswith("v/v"):
            subject = "về việc " + subject[3:].strip(" :.")
        elif not folded.startswith(_VERB_SUBJECTS):
            subject = "về " + lower_first(subject)
        else:
            subject = lower_first(subject)
        parts.append(subject)
    return " ".join(parts)


def _central(code: str) -> bool:
    """Central Party and State numbers name their issuer already: '294-QĐ/TW', '07/CT-TTg', '181/2024/NĐ-CP'."""
    return bool(re.search(r"/(?:TW|BCT|BBT)$|-(?:TTg|CP|QH\d*)$|/QH\d+$", code))


def _issuer_in_code_only(doc_type: str, code: str | None) -> bool:
    return bool(code) and doc_type in {"Quyết định", "Chỉ thị"} and bool(re.search(r"/\d{4}/", code or ""))
