"""Three small documents, one per audience, for the access tests of the index, the CLI and the bot.

Each answers its own question with words the others lack; the members one is a formal regulation, so it has
a card, an outline and articles.
"""

from __future__ import annotations

from pathlib import Path

from index.library import Library

PUBLIC_TEXT = """Thông báo về lịch tiếp công dân của Đảng ủy xã

Đảng ủy xã tiếp công dân vào sáng thứ Năm hằng tuần tại trụ sở Ủy ban nhân dân xã.

Công dân đến trình bày ý kiến, kiến nghị cần mang theo giấy tờ tùy thân và đơn thư liên quan.
"""

MEMBERS_TEXT = """ĐẢNG BỘ XÃ AN BÌNH                    ĐẢNG CỘNG SẢN VIỆT NAM
CHI BỘ KHU DÂN CƯ SỐ 3
          *
Số 07-QĐ/CB                          An Bình, ngày 6 tháng 1 năm 2025

QUY ĐỊNH
về sinh hoạt chuyên đề của chi bộ

Điều 1. Thời gian sinh hoạt chuyên đề
Chi bộ sinh hoạt chuyên đề vào tuần thứ hai của tháng cuối mỗi quý, do bí thư chi bộ chủ trì.

Điều 2. Nội dung sinh hoạt chuyên đề
Mỗi đảng viên chuẩn bị một bài tham luận ngắn về việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh.

Điều 3. Tổ chức thực hiện
Chi ủy phân công đảng viên ghi biên bản và báo cáo kết quả sinh hoạt chuyên đề lên Đảng ủy xã.
"""

ADMINS_TEXT = """Báo cáo về tình hình thu nộp đảng phí quý I

Qua kiểm tra, có hai đảng viên chưa đóng đảng phí đúng hạn trong quý I.

Chi ủy đề nghị nhắc nhở và theo dõi việc đóng đảng phí của các đồng chí này trong quý II.
"""

PUBLIC_QUESTION = "lịch tiếp công dân của Đảng ủy xã"
MEMBERS_QUESTION = "sinh hoạt chuyên đề của chi bộ vào tuần nào?"
ADMINS_QUESTION = "đảng viên chưa đóng đảng phí đúng hạn"
MEMBERS_TITLE_WORDS = "sinh hoạt chuyên đề"  # in the members document's title and every passage of it
MEMBERS_CODE = "07-QĐ/CB"
ADMINS_WORDS = "đảng phí"


def write_documents(folder) -> dict[str, object]:
    """The three files in `folder`: {"public": path, "members": path, "admins": path}."""
    paths = {}
    for audience, name, text in [("public", "tiep-cong-dan.txt", PUBLIC_TEXT), ("members", "qd-07.txt", MEMBERS_TEXT),
                                 ("admins", "dang-phi.txt", ADMINS_TEXT)]:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths[audience] = path
    return paths


def audience_library(folder: Path, data_dir: Path, embedder) -> Library:
    """A library of the three documents, each added with its audience."""
    library = Library(data_dir, embedder)
    for audience, path in write_documents(folder).items():
        library.add_file(path, audience=audience)
    return library
