"""Who may read a document: its audience, and the library's access mode that picks a new document's default.

A document is read by everyone (`public`), by the organisation's members (`members`, "lưu hành nội bộ")
or by the bot's admins only (`admins`). Searches and reads take the set of audiences the asker may read;
None means all of them (the command line, run by whoever holds the data directory).
"""

from __future__ import annotations

import unicodedata

from index.errors import VankienError

PUBLIC, MEMBERS, ADMINS = "public", "members", "admins"
AUDIENCES = (PUBLIC, MEMBERS, ADMINS)  # widest first
EVERYONE = frozenset(AUDIENCES)  # what an admin reads
MEMBERS_READ = frozenset({PUBLIC, MEMBERS})
PUBLIC_READ = frozenset({PUBLIC})
NOTHING = frozenset()  # an outsider when the library is for members only

LABELS = {PUBLIC: "công khai", MEMBERS: "đảng viên", ADMINS: "quản trị viên"}
_NAMES = {  # what an admin may type, folded: the value, its Vietnamese label, a short form
    "public": PUBLIC, "cong khai": PUBLIC, "congkhai": PUBLIC, "tat ca": PUBLIC,
    "members": MEMBERS, "member": MEMBERS, "dang vien": MEMBERS, "dangvien": MEMBERS, "noi bo": MEMBERS, "noibo": MEMBERS,
    "admins": ADMINS, "admin": ADMINS, "quan tri": ADMINS, "quantri": ADMINS, "quan tri vien": ADMINS,
}

ACCESS_PUBLIC, ACCESS_MEMBERS = "public", "members"  # VANKIEN_ACCESS
ACCESS_MODES = (ACCESS_PUBLIC, ACCESS_MEMBERS)


class UnknownAudience(VankienError):
    """An audience that is not public, members or admins."""


def parse_audience(text: str) -> str:
    """"members", "đảng viên", "Dang vien" -> MEMBERS; UnknownAudience for anything else."""
    folded = unicodedata.normalize("NFD", " ".join(text.split()).casefold().replace("đ", "d"))
    key = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("-", " ").replace("_", " ")
    if key not in _NAMES:
        raise UnknownAudience(
            f"Không hiểu đối tượng «{text}»: chọn public (công khai), members (đảng viên) hoặc admins (quản trị viên)."
        )
    return _NAMES[key]


def default_audience(access: str) -> str:
    """A new document's audience: members in a members-only library, public otherwise."""
    return MEMBERS if access == ACCESS_MEMBERS else PUBLIC


def may_read(audience: str, audiences: frozenset[str] | None) -> bool:
    return audiences is None or audience in audiences
