"""Specific failures deep in the index, each turned into one clear sentence at the CLI and the bot."""


class VankienError(Exception):
    """Base of every error the index raises on purpose; its message is shown to the user."""


class UnsupportedFile(VankienError):
    """The file's real content is not a format we read (.txt, .md, .html, .docx, .pdf)."""


class CorruptFile(VankienError):
    """The file claims a format we read but cannot be parsed (broken zip, bad xref, encrypted, bomb)."""

    @classmethod
    def unreadable(cls, name: str) -> "CorruptFile":
        """The one sentence for a file no reader can open: damaged, or encrypted in a way we cannot tell apart."""
        return cls(f"Tệp {name} bị hỏng hoặc bị mã hoá, không đọc được.")

    @classmethod
    def password_protected(cls, name: str) -> "CorruptFile":
        return cls(f"Tệp {name} được đặt mật khẩu, không đọc được; hãy gỡ mật khẩu rồi gửi lại.")


class EmptyDocument(VankienError):
    """The file parsed but holds no text worth indexing."""


class FileTooLarge(VankienError):
    """The file is over the configured size limit."""


class EmbedderMismatch(VankienError):
    """The index on disk was built with another embedder; it must be rebuilt."""


class EmbedderUnavailable(VankienError):
    """The configured embedder needs a package that is not installed (sentence-transformers is an extra)."""


class DocumentNotFound(VankienError):
    """No document with that id."""


class MissingTool(UnsupportedFile):
    """Reading this kind of file needs a program that is not installed (tesseract, pdftoppm, antiword)."""


class ClassifiedDocument(VankienError):
    """The file carries a security marking (độ mật) or the Party ownership banner: nothing of it may be kept."""

    @classmethod
    def stamped(cls, name: str, level: str) -> "ClassifiedDocument":
        return cls(f"Tệp {name} mang dấu độ mật «{level}»: tài liệu mật không được đưa lên hệ thống kết nối "
                   "Internet, nên không nạp.")

    @classmethod
    def banner(cls, name: str, banner: str) -> "ClassifiedDocument":
        return cls(f"Tệp {name} ghi «{banner}»: tài liệu không được phép phát tán, nên không nạp.")


class WriterBusy(VankienError):
    """Another process kept the data directory's write lock longer than this one would wait (index/writer_lock.py)."""


class ConcurrentWrite(VankienError):
    """Another writer switched generations while this one built on the previous one (its lock was lost)."""
