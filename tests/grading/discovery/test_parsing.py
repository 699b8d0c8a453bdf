"""ee449.grading.discovery.parsing: parsing from several threads at once never fails.

The stress below is what `ee449 grade --class -j 2` does, made likely: four threads parse while
garbage with finalisers makes the interpreter switch threads inside the tree constructor. With a
bare `ast.parse` in place of `parsing.parse` it raised `SystemError: AST constructor recursion
depth mismatch` in 8 runs out of 8 here (CPython 3.11.7).
"""

from __future__ import annotations

import ast
import sys
import threading

import pytest

from ee449.grading.discovery import parsing

SOURCE = (
    "x = " + "(" * 50 + "1" + ")" * 50 + "\n" + "def f(a):\n    return [i for i in range(a) if i]\n" * 100
)
THREADS = 4
PARSES_PER_THREAD = 40


class _Finalised:
    """Garbage in a reference cycle whose finaliser runs Python code (a chance to switch threads)."""

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        sum(range(50))


def test_threads_parsing_at_once_each_get_the_tree_a_lone_parse_gives() -> None:
    expected = ast.dump(ast.parse(SOURCE))
    failures: list[BaseException] = []
    wrong: list[int] = []

    def parse_many() -> None:
        for _ in range(PARSES_PER_THREAD):
            for _ in range(200):
                _Finalised()
            try:
                tree = parsing.parse(SOURCE, "student.py")
            except BaseException as error:  # noqa: BLE001 - collected and reported below
                failures.append(error)
            else:
                if ast.dump(tree) != expected:
                    wrong.append(1)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        threads = [threading.Thread(target=parse_many) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == [], f"{len(failures)} parses failed, first: {failures[0]!r}"
    assert wrong == [], f"{len(wrong)} parses gave a different tree"


def test_a_syntax_error_names_the_file_and_line_as_ast_parse_does() -> None:
    with pytest.raises(SyntaxError) as raised:
        parsing.parse("x = 1\ndef (:\n", "hw1.py")
    assert (raised.value.filename, raised.value.lineno) == ("hw1.py", 2)
