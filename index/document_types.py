"""The kinds of Vietnamese documents and the words that name them: one list for every module that reads them.

Keys are folded words (index.vietnamese.fold: no diacritics, lower case, đ -> d).
"""

from __future__ import annotations

# Folded type words -> the type as shown. Readers match the longest first ("chuong trinh hanh dong").
DOCUMENT_TYPES: dict[str, str] = {
    "nghi quyet": "Nghị quyết", "quyet dinh": "Quyết định", "chi thi": "Chỉ thị", "ket luan": "Kết luận",
    "quy dinh": "Quy định", "thong bao": "Thông báo", "huong dan": "Hướng dẫn", "bao cao": "Báo cáo",
    "ke hoach": "Kế hoạch", "cong van": "Công văn", "de an": "Đề án", "chuong trinh": "Chương trình",
    "chuong trinh hanh dong": "Chương trình hành động", "quy che": "Quy chế", "luat": "Luật",
    "bo luat": "Bộ luật", "nghi dinh": "Nghị định", "thong tu": "Thông tư", "thong tu lien tich": "Thông tư liên tịch",
    "to trinh": "Tờ trình", "cong dien": "Công điện", "dieu le": "Điều lệ", "phap lenh": "Pháp lệnh",
    "lenh": "Lệnh", "quy trinh": "Quy trình", "giay moi": "Giấy mời", "bien ban": "Biên bản",
    "huong dan lien nganh": "Hướng dẫn liên ngành", "nghi quyet lien tich": "Nghị quyết liên tịch",
    "ke hoach lien nganh": "Kế hoạch liên ngành", "giay chung nhan": "Giấy chứng nhận", "giay phep": "Giấy phép",
    "nghi dinh thu": "Nghị định thư", "hiep dinh": "Hiệp định", "to trinh lien nganh": "Tờ trình liên ngành",
}

# The types a question names a document by ("Nghị quyết 34", "Luật ..."). Not "quy trình", "giấy phép",
# "lệnh": in a question those are everyday words far more often than documents.
NAMED_IN_QUESTIONS = frozenset({
    "luat", "nghi quyet", "nghi dinh", "thong tu", "quyet dinh", "quy dinh", "chi thi", "ket luan", "ke hoach",
    "huong dan", "cong van", "thong bao", "quy che", "dieu le", "bao cao", "de an", "chuong trinh", "to trinh",
})

# The types that a news report's own lines name as a heading of their own ("NGHỊ QUYẾT" alone on a line).
HEADING_TYPES = frozenset({
    "nghi quyet", "quyet dinh", "chi thi", "ket luan", "quy dinh", "thong bao", "huong dan", "bao cao",
    "ke hoach", "cong van", "de an", "chuong trinh", "quy che", "luat", "nghi dinh", "thong tu", "to trinh",
    "chuong trinh hanh dong",
})

# Folded type words -> the letters of a document code's type part ("Quy định 22" is "22-QĐ/...": QD).
CODE_LETTERS: dict[str, str] = {
    "quy dinh": "QD", "quyet dinh": "QD", "nghi quyet": "NQ", "chi thi": "CT", "ket luan": "KL", "de an": "DA",
    "thong bao": "TB", "huong dan": "HD", "ke hoach": "KH", "bao cao": "BC", "quy che": "QC", "nghi dinh": "ND",
    "thong tu": "TT", "cong van": "CV", "to trinh": "TTR", "chuong trinh": "CTR",
}

# A code's type letters (as printed) -> the type, for a header without a type line ("Số: 34-NQ/TU").
TYPE_BY_CODE_LETTERS: dict[str, str] = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "TB": "Thông báo", "HD": "Hướng dẫn",
    "BC": "Báo cáo", "KH": "Kế hoạch", "NĐ": "Nghị định", "TT": "Thông tư", "QH": "Luật", "TTr": "Tờ trình",
    "CTr": "Chương trình", "ĐA": "Đề án", "QC": "Quy chế", "CĐ": "Công điện",
}
