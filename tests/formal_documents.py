"""Formal documents written for the tests in the shapes real ones take: a regulation and the one it replaces
(columns in the header and the closing, as pdftotext -layout gives them), and an unnumbered plan."""

OLD_REGULATION = """TỈNH ỦY LÀO CAI                       ĐẢNG CỘNG SẢN VIỆT NAM
          *
Số 87-QĐ/TU                          Lào Cai, ngày 10 tháng 3 năm 2021

QUY ĐỊNH
về chế độ học tập lý luận chính trị của cán bộ, đảng viên

Điều 1. Phạm vi điều chỉnh
Quy định này quy định việc học tập lý luận chính trị hằng năm của cán bộ, đảng viên trong Đảng bộ tỉnh.

Điều 2. Thời gian học tập
Mỗi năm, đảng viên dành ít nhất 20 giờ học tập lý luận chính trị tại trung tâm chính trị cấp huyện.

Nơi nhận:                                  T/M BAN THƯỜNG VỤ
- Các huyện ủy, thành ủy,                        BÍ THƯ
- Lưu Văn phòng Tỉnh ủy.
                                            Nguyễn Văn Lâm
"""

NEW_REGULATION = """TỈNH ỦY LÀO CAI                       ĐẢNG CỘNG SẢN VIỆT NAM
          *
Số 112-QĐ/TU                         Lào Cai, ngày 5 tháng 9 năm 2025

QUY ĐỊNH
về học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên

Thực hiện Quy định số 69-QĐ/TW của Bộ Chính trị về học tập lý luận chính trị, Ban Thường vụ Tỉnh ủy quy định như sau:

Chương I
QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Quy định này quy định nội dung, thời gian học tập lý luận chính trị và cập nhật kiến thức của cán bộ, đảng viên.

Điều 2. Đối tượng áp dụng
Cán bộ, đảng viên đang sinh hoạt tại các chi bộ, đảng bộ trực thuộc Tỉnh ủy.

Chương II
NỘI DUNG VÀ THỜI GIAN

Điều 5. Nội dung bồi dưỡng
1. Bồi dưỡng chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh cho đảng viên mới.
2. Cập nhật kiến thức quản lý nhà nước cho cán bộ lãnh đạo cấp xã.
a) Cán bộ chủ chốt cấp xã học tập trung mỗi năm một đợt.
b) Công chức chuyên môn cấp xã học theo chuyên đề của tỉnh.

Điều 7. Thời gian học tập
1. Mỗi năm, cán bộ lãnh đạo, quản lý phải dành ít nhất 40 giờ để học tập, bồi dưỡng và cập nhật kiến thức mới.
2. Đảng viên không giữ chức vụ học tập ít nhất 24 giờ mỗi năm tại chi bộ nơi sinh hoạt.

Chương III
TỔ CHỨC THỰC HIỆN

Điều 9. Hiệu lực thi hành
Quy định này có hiệu lực kể từ ngày ký và thay thế Quy định số 87-QĐ/TU ngày 10/3/2021 của Ban Thường vụ Tỉnh ủy.

Nơi nhận:                                  T/M BAN THƯỜNG VỤ
- Ban Tổ chức Trung ương,                         BÍ THƯ
- Các huyện ủy, thành ủy,
- Lưu Văn phòng Tỉnh ủy.
                                            Trịnh Xuân Trường
"""

PLAN = """ỦY BAN NHÂN DÂN                  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH LÀO CAI                           Độc lập - Tự do - Hạnh phúc

Số:      /KH-UBND                      Lào Cai, ngày     tháng     năm 2026

KẾ HOẠCH
Triển khai công tác quản lý khoáng sản năm 2026

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Nâng cao hiệu lực quản lý nhà nước về khoáng sản trên địa bàn tỉnh.

II. NHIỆM VỤ, GIẢI PHÁP
1. Công tác tuyên truyền
- Tuyên truyền pháp luật về khoáng sản đến từng thôn, bản.
2. Công tác thanh tra, kiểm tra
- Thanh tra các mỏ đá vôi, mỏ cát sỏi lòng sông ít nhất hai lần mỗi năm.

IV. TỔ CHỨC THỰC HIỆN
3. Sở Công Thương
- Chủ trì kiểm tra việc sử dụng vật liệu nổ công nghiệp trong khai thác khoáng sản.
"""
