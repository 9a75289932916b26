"""The command line's side of who may read what: add --audience, the members-only default, audience, audit."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.audience_documents import MEMBERS_TEXT, PUBLIC_TEXT

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "VANKIEN_ACCESS"} | {"VANKIEN_DATA_DIR": str(data_dir), **env}
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def listed(data_dir: Path) -> dict[str, str]:
    return {d["source"]: d["audience"] for d in json.loads(run("list", "--json", data_dir=data_dir).stdout)}


def test_audiences_from_the_command_line_and_the_trail_they_leave(tmp_path):
    data = tmp_path / "index"
    (tmp_path / "cong-khai.txt").write_text(PUBLIC_TEXT, encoding="utf-8")
    (tmp_path / "qd-07.txt").write_text(MEMBERS_TEXT, encoding="utf-8")
    added = run("add", str(tmp_path / "cong-khai.txt"), "--audience", "công khai", data_dir=data, VANKIEN_ACCESS="members")
    assert added.returncode == 0, added.stderr
    added = run("add", str(tmp_path / "qd-07.txt"), data_dir=data, VANKIEN_ACCESS="members")  # the members-only default
    assert added.returncode == 0, added.stderr
    assert listed(data) == {"cong-khai.txt": "public", "qd-07.txt": "members"}
    assert "qd-07.txt, đảng viên)" in run("list", data_dir=data).stdout

    members_id = next(d["id"] for d in json.loads(run("list", "--json", data_dir=data).stdout) if d["source"] == "qd-07.txt")
    changed = run("audience", str(members_id), "admins", data_dir=data)
    assert changed.returncode == 0 and "quản trị viên" in changed.stdout
    assert listed(data)["qd-07.txt"] == "admins"

    trail = [json.loads(line) for line in run("audit", "--json", data_dir=data).stdout.splitlines()]
    assert [entry["action"] for entry in trail] == ["audience", "added", "added"]  # newest first
    assert {entry["actor"] for entry in trail} == {f"cli:{getpass.getuser()}"}
    assert trail[0]["subject"].startswith(f"[{members_id}] Quy định số 07-QĐ/CB") and "quản trị viên" in trail[0]["detail"]
    assert "công khai" in trail[2]["detail"] and "đảng viên" in trail[1]["detail"]
    shown = run("audit", data_dir=data).stdout
    assert "đổi đối tượng" in shown and "tuần thứ hai" not in shown  # titles and ids, never a document's text


def test_a_bad_audience_or_access_mode_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text(PUBLIC_TEXT, encoding="utf-8")
    for args, env in [(["add", str(tmp_path / "a.txt"), "--audience", "mọi người"], {}),
                      (["list"], {"VANKIEN_ACCESS": "secret"}),
                      (["audience", "999", "public"], {})]:
        done = run(*args, data_dir=tmp_path / "index", **env)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert len([line for line in done.stderr.splitlines() if "lỗi" in line or "error" in line]) == 1
