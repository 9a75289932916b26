"""Sentence case for the ALL-CAPS names of Vietnamese headers: "BAN CHẤP HÀNH TRUNG ƯƠNG" -> "Ban Chấp hành Trung ương".

Capitals are decided on the folded words, from the naming rules of official bodies (the word after Bộ, Sở,
Cục, Ban, Vụ is capitalised; place names after tỉnh, thành phố, huyện, xã are capitalised throughout) and a
short list of proper names. The letters themselves always come from the source.
"""

from __future__ import annotations

import re

from index.vietnamese import fold, normalize_tones

# Phrases with their capitals (the words compared in lower case, one tone convention).
_PHRASES: dict[tuple[str, ...], tuple[int, ...]] = {}
_SPELLING: dict[tuple[str, ...], tuple[str, ...]] = {}  # folded multi-word phrase -> its words as they should read


def _key(word: str) -> str:
    return normalize_tones(word.lower())


def _add(pattern: str) -> None:
    words = pattern.split()
    _PHRASES[tuple(_key(w) for w in words)] = tuple(1 if w[0].isupper() else 0 for w in words)
    if len(words) > 1:  # OCR misreads diacritics ("TÍNH ỦY"): known multi-word names are matched folded
        _SPELLING[tuple(fold(w) for w in words)] = tuple(w.lower() for w in words)


for _phrase in (
    "Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư", "Trung ương", "Đảng", "Việt Nam", "Hồ Chí Minh",
    "Quốc hội", "Chính phủ", "Nhà nước", "Mặt trận Tổ quốc", "Điều lệ Đảng", "Huy hiệu Đảng", "Công Thương",
    "Ủy ban Kiểm tra", "Tổng Bí thư", "Văn phòng Trung ương", "Thủ tướng", "Tỉnh ủy", "Thành ủy", "Huyện ủy",
    "Quận ủy", "Thị ủy", "Đảng ủy", "Đảng bộ", "Ban Thường vụ", "Ủy ban nhân dân", "Hội đồng nhân dân",
    "Tài nguyên và Môi trường", "Kế hoạch và Đầu tư", "Giáo dục và Đào tạo", "Khoa học và Công nghệ",
    "Thông tin và Truyền thông", "Nông nghiệp và Môi trường", "Nông nghiệp và Phát triển nông thôn",
    "Văn hóa, Thể thao và Du lịch", "Dân tộc và Tôn giáo", "Lao động - Thương binh và Xã hội", "Khoa học Công nghệ",
    "Cộng hòa xã hội chủ nghĩa Việt Nam", "Chủ tịch", "Phó Chủ tịch", "Bí thư", "Phó Bí thư",
    "Cục trưởng", "Phó Cục trưởng", "Giám đốc", "Phó Giám đốc", "Bộ trưởng", "Thứ trưởng", "Trưởng ban",
    "Phó Trưởng ban", "Phó Thủ tướng", "Chánh Văn phòng", "Vụ trưởng", "Phó Vụ trưởng", "ban hành",
):
    _add(_phrase)

_NAMED_AFTER = {"bộ", "sở", "cục", "ban", "vụ", "viện", "tổng cục", "trường", "báo", "đoàn", "hội", "văn phòng", "tòa án", "thanh tra"}
_PLACE_LEVELS = {"tỉnh", "thành phố", "huyện", "xã", "phường", "quận", "thị xã", "thị trấn", "thôn"}
_PLACE_AFTER_COMMITTEE = {"tỉnh ủy", "thành ủy", "huyện ủy", "quận ủy", "thị ủy"}
_CAPITALISED_NAMES = {"luật", "bộ luật", "pháp lệnh", "hiến pháp"}  # "của Luật Quản lý, sử dụng ..."
_LOWER_AFTER_NAMED = {"nhân", "và", "của", "về", "thuộc", "trực", "cấp", "trưởng", "phó", "các", "nghị", "đồng", "viên", "biểu", "thảo"}
_ROMAN = re.compile(r"[IVXLC]+")
_ROMAN_AFTER = {"khóa", "khoá", "lần", "chương", "phần", "mục", "phụ", "lục", "quý", "đại", "hội", "kỳ"}
_VOWELS = set("aăâeêioôơuưy")
_WORD = re.compile(r"\w+|\W+")


def sentence_case(text: str, capitalise_first: bool = True) -> str:
    """ALL-CAPS text in sentence case; mixed-case text is returned as it is (it already carries its capitals)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) < 0.8 * len(letters):
        return text
    tokens = _WORD.findall(text)
    words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
    keys = [_key(tokens[i]) for i in words]
    _respell(tokens, words, keys)
    capital = [False] * len(words)
    locked = [False] * len(words)
    position = 0
    while position < len(words):
        matched = _phrase_at(keys, position)
        for offset, flag in enumerate(matched or ()):
            capital[position + offset] = bool(flag)
            locked[position + offset] = True
        position += len(matched) if matched else 1

    def capitalise(at: int) -> None:
        if at < len(words) and not locked[at]:
            capital[at] = True

    for position, key in enumerate(keys):
        two = " ".join(keys[position : position + 2])
        if locked[position]:
            pass
        elif key in _CAPITALISED_NAMES and not (position and keys[position - 1] == "pháp"):
            capitalise(position)
            capitalise(position + 1)
        elif two in _NAMED_AFTER and position + 2 < len(keys) and keys[position + 2] not in _LOWER_AFTER_NAMED:
            capitalise(position)  # "Tổng cục Thuế": the body's word is capitalised with its name
            capitalise(position + 2)
        elif key in _NAMED_AFTER and position + 1 < len(keys) and keys[position + 1] not in _LOWER_AFTER_NAMED:
            if not position or " ".join(keys[position - 1 : position + 1]) not in _NAMED_AFTER:
                capitalise(position)
            capitalise(position + 1)
        level = two if two in _PLACE_LEVELS else key if key in _PLACE_LEVELS else None
        if level or two in _PLACE_AFTER_COMMITTEE:
            start = position + 2 if (level == two or not level) else position + 1
            for rest in range(start, min(start + 3, len(keys))):
                if keys[rest] in _LOWER_AFTER_NAMED or keys[rest] in _PLACE_LEVELS:
                    break
                capitalise(rest)
        if _is_abbreviation(tokens[words[position]]) and _letters_of(tokens[words[position]]) not in _ABBREVIATIONS:
            capitalise(position + 1)  # "KT. Cục trưởng", "T/M Ban Thường vụ"
    if capitalise_first and words:
        capital[0] = True
    out = list(tokens)
    for position, index in enumerate(words):
        token = tokens[index]
        if _is_abbreviation(token) or not token.isalpha() or _is_roman(token, keys[position - 1] if position else ""):
            continue
        lower = normalize_tones(token.lower())
        out[index] = lower[:1].upper() + lower[1:] if capital[position] else lower
    return "".join(out)


_ABBREVIATIONS = {"ubnd", "hdnd", "mttq", "bch", "btv", "ubkt", "tw", "tu", "vptw", "vptu", "dbqh", "tp", "ubtvqh"}


def _respell(tokens: list[str], words: list[int], keys: list[str]) -> None:
    """Replace OCR-damaged known phrases by their spelling, in place ("TÍNH ỦY LÀO CAI" -> "TỈNH ỦY LÀO CAI")."""
    folded = [fold(k) for k in keys]
    for position in range(len(words)):
        for length in (7, 6, 5, 4, 3, 2):
            spelled = _SPELLING.get(tuple(folded[position : position + length]))
            if spelled and len(folded[position : position + length]) == length:
                for offset, word in enumerate(spelled):
                    keys[position + offset] = _key(word)
                    tokens[words[position + offset]] = word.upper()
                break


def _is_roman(word: str, previous: str) -> bool:
    """'KHOÁ XIII', 'QUÝ IV': a roman numeral keeps its capitals; a short one only after a word that takes a
    number ('PHẠM VI' is the word vi)."""
    return bool(_ROMAN.fullmatch(word)) and (len(word) >= 3 or previous in _ROMAN_AFTER)


def _is_abbreviation(word: str) -> bool:
    """'KT', 'TM', 'T', 'UBND', 'HĐND': not a syllable; kept in capitals."""
    return word.isalpha() and word.isupper() and (not any(ch in _VOWELS for ch in fold(word)) or _letters_of(word) in _ABBREVIATIONS)


def _letters_of(word: str) -> str:
    """'HĐND' -> 'hdnd', but 'TƯ' stays 'tư' (the word "tư", not the code letters TU)."""
    return word.lower().replace("đ", "d")


def _phrase_at(keys: list[str], position: int) -> tuple[int, ...] | None:
    for length in (7, 6, 5, 4, 3, 2, 1):
        key = tuple(keys[position : position + length])
        if len(key) == length and key in _PHRASES:
            return _PHRASES[key]
    return None


def lower_first(text: str) -> str:
    """'Thi hành Điều lệ Đảng' -> 'thi hành Điều lệ Đảng' (a subject inside a title), unless a name starts it."""
    if not text:
        return text
    matched = _phrase_at([_key(w) for w in re.findall(r"\w+", text)[:7]], 0)
    if matched and matched[0]:
        return text
    return text[:1].lower() + text[1:]
