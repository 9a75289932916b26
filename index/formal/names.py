"""Is this a person's name? Vietnamese full names start with a family name from a short, well-known list."""

from __future__ import annotations

import re

from index.vietnamese import normalize_tones

# Family names of Vietnamese (Kinh and the main minority peoples of the northern provinces), as written:
# accents count ("Lại" is a family name, "Lai" in "Lai Châu" is not).
SURNAMES = frozenset(
    normalize_tones(name.lower())
    for name in """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trương Đinh Đào Lâm Mai Tô
    Triệu Hà Lương Cao Tạ Chu Vương Thái La Kiều Quách Đoàn Trịnh Lưu Phùng Từ Khổng Tăng Hứa Nông Lò Giàng Sùng Lù
    Vàng Thào Mùa Ma Hầu Lục Đàm Đồng Tống Âu Doãn Khúc Lại Mạc Nghiêm Quan Thân Văn Viên Ông Đồ Diệp Giáp Kim Lã
    Khuất Thạch Tôn Cù Đậu Hoàng Lục Hạ Kha Trình Thiều Mã Bạch Ninh Phí Phó Tiêu Yên Bế Hứa Sầm Lường Tòng Quàng""".split()
)
NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+$")  # "Phạm", "Hà": capital, then lower case


def looks_like_person(text: str) -> bool:
    """'Phạm Minh Hà', 'Giàng A Páo': 2 to 5 capitalised words, the first a family name."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(NAME_WORD.match(w) or len(w) == 1 and w.isupper() for w in words) and (
        normalize_tones(words[0].lower()) in SURNAMES
    ) and not is_place(text)


# Province and city names, old and new, that read like a person's name ("Lâm Đồng", "Hà Giang", "Cao Bằng").
_PLACES = frozenset(
    normalize_tones(name.strip().lower())
    for name in """Hà Nội|Hà Giang|Hà Nam|Hà Tĩnh|Lâm Đồng|Cao Bằng|Thái Bình|Thái Nguyên|Lai Châu|Lạng Sơn|Lào Cai|
    Yên Bái|Tuyên Quang|Bắc Kạn|Phú Thọ|Vĩnh Phúc|Bắc Ninh|Bắc Giang|Quảng Ninh|Hải Dương|Hải Phòng|Hưng Yên|Nam Định|
    Ninh Bình|Thanh Hóa|Nghệ An|Quảng Bình|Quảng Trị|Thừa Thiên Huế|Đà Nẵng|Quảng Nam|Quảng Ngãi|Bình Định|Phú Yên|
    Khánh Hòa|Ninh Thuận|Bình Thuận|Kon Tum|Gia Lai|Đắk Lắk|Đắk Nông|Bình Phước|Tây Ninh|Bình Dương|Đồng Nai|
    Bà Rịa Vũng Tàu|Hồ Chí Minh|Long An|Tiền Giang|Bến Tre|Trà Vinh|Vĩnh Long|Đồng Tháp|An Giang|Kiên Giang|Cần Thơ|
    Hậu Giang|Sóc Trăng|Bạc Liêu|Cà Mau|Điện Biên|Sơn La|Hòa Bình|Huế""".replace("\n", "").split("|")
)


def is_place(text: str) -> bool:
    return normalize_tones(" ".join(text.split()).lower()) in _PLACES
