"""What the grader takes from a child's pipes and folders: bounded, never blocking, links not followed.

Real pipes and a real writer process; the oracle is the bytes the writer sent.
"""

from __future__ import annotations

import os
import subprocess
import sys

from ee449.grading.sandbox.child_io import MAX_ENTRIES, OUTPUT_BYTES, Drain, Lines, disk_used


def _writer(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)


def test_a_drain_keeps_the_tail_of_a_flood_and_counts_every_byte():
    child = _writer(
        "import sys\nfor i in range(100_000): sys.stdout.write(f'{i:07d}\\n')\nsys.stdout.write('END')"
    )
    drain = Drain(child.stdout)
    child.wait()
    drain.join()
    assert drain.total == 100_000 * 8 + 3  # all of it read: the child never blocked on a full pipe
    text = drain.text()
    assert len(text) == OUTPUT_BYTES and text.endswith("0099999\nEND")


def test_text_since_a_mark_is_what_came_after_it():
    read, write = os.pipe()
    drain = Drain(os.fdopen(read, "rb"))
    os.write(write, b"before\n")
    while drain.total < 7:
        pass
    mark = drain.total
    os.write(write, b"after\n")
    os.close(write)
    drain.join()
    assert drain.text(since=mark) == "after\n" and drain.text() == "before\nafter\n"


def test_invalid_utf8_is_replaced_not_raised():
    read, write = os.pipe()
    drain = Drain(os.fdopen(read, "rb"))
    os.write(write, b"ok \xff\xfe done")
    os.close(write)
    drain.join()
    assert drain.text() == "ok \ufffd\ufffd done"


def test_a_line_channel_keeps_a_few_short_lines_and_reads_the_rest_to_the_end():
    long_line = "x" * (Lines.MAX_LINE * 5)
    child = _writer(f"print('ran 0')\nprint({long_line!r})\nfor i in range(10_000): print('flood', i)")
    lines = Lines(child.stdout)
    assert child.wait(timeout=60) == 0  # never blocked: everything was read
    lines.join()
    assert lines.kept[0] == "ran 0"
    assert lines.kept[1] == "x" * Lines.MAX_LINE  # cut, and its rest is not taken for a line of its own
    assert len(lines.kept) == Lines.MAX_LINES


def test_disk_used_counts_files_not_what_links_point_at(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 50_000)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "big").write_bytes(b"z" * 1_000_000)
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)
    used = disk_used([tmp_path])
    on_disk = sum(os.lstat(p).st_blocks * 512 for p in tmp_path.rglob("*"))
    assert used == on_disk and used < 1_000_000


def test_past_the_entry_cap_a_folder_is_over_any_quota(tmp_path, monkeypatch):
    import ee449.grading.sandbox.child_io as child_io

    monkeypatch.setattr(child_io, "MAX_ENTRIES", 50)
    for i in range(60):
        (tmp_path / f"f{i}").touch()
    assert disk_used([tmp_path]) == 2**62
    monkeypatch.setattr(child_io, "MAX_ENTRIES", MAX_ENTRIES)
    assert disk_used([tmp_path]) == 0  # sixty empty files take no blocks
