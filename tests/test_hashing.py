"""index/hashing.py: the term key is part of the on-disk format; the file digest is the document's identity."""

from __future__ import annotations

import hashlib

from index.hashing import file_sha256, term_key


def test_term_keys_stay_what_existing_segments_hold():
    # Segments and syllable tables on disk are sorted arrays of these keys: a changed key loses every term.
    assert term_key("đảng") == int.from_bytes(hashlib.blake2b("đảng".encode(), digest_size=8).digest(), "little")
    assert term_key("đảng") == 11840361813288454351
    assert term_key("~dang_vien") != term_key("~dang")
    assert 0 <= term_key("§22-qd/tw") < 2**64


def test_the_file_digest_is_the_sha256_of_its_bytes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"Quy \xc4\x91\xe1\xbb\x8bnh")
    assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
