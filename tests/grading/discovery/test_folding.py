"""Constant folding gives a value or "unknown" for any expression, never an exception, and the value
it gives is the one Python computes (eval of the same literal expression is the oracle)."""

from __future__ import annotations

import ast

from hypothesis import given

from ee449.grading.discovery.call_sites import call_sites
from ee449.grading.discovery.folding import FOLD_FAILED, fold, module_constants, torch_aliases
from tests.helpers.strategies import constant_expressions


def as_folded(value: object) -> object:
    """Python's value in folding's JSON form: tuples as {"__tuple__": [...]}."""
    if isinstance(value, tuple):
        return {"__tuple__": [as_folded(v) for v in value]}
    if isinstance(value, list):
        return [as_folded(v) for v in value]
    return value


@given(constant_expressions())
def test_folding_any_constant_expression_gives_pythons_value_or_unknown(case):
    folded = fold(ast.parse(case.text, mode="eval").body, {}, {})
    if folded is not FOLD_FAILED:
        # Folding computes only within its size caps, so eval here is as cheap as the fold was.
        want = as_folded(eval(case.text))  # noqa: S307 - literals only, drawn by the strategy
        assert folded == want and type(folded) is type(want), (
            f"{case.text}: folded {folded!r}, Python {want!r}"
        )


def test_string_built_paths_fold_where_they_used_to_crash_the_grade():
    tree = ast.parse(
        "name = 'mlp_1'\nPATH = 'data/' + name + '.pkl'\nSAVE = 'results/' + 'part3_'\n"
        "F = f'{SAVE}{name}.json'\nCMP = 'a' < 'b'\nB = b'x' + b'y'\nP = '%d' % 3\nW = '=' * 10 ** 9\n"
    )
    env = module_constants(tree, torch_aliases(tree))
    assert env == {
        "name": "mlp_1",
        "PATH": "data/mlp_1.pkl",
        "SAVE": "results/part3_",
        "F": "results/part3_mlp_1.json",
        "CMP": True,
    }


def test_constants_that_would_fill_memory_are_unknown():
    tree = ast.parse(
        "A = [1, 2, 3, 4, 5, 6, 7, 8]\nB = [A, A, A, A, A, A, A, A]\nC = [B, B, B, B, B, B, B, B]\nD = 2 ** 60 * 2 ** 60 * 2 ** 60 * 2 ** 60 * 2 ** 60\n"
    )
    env = module_constants(tree, {})
    assert set(env) == {"A", "B"} and len(env["B"]) == 8


def test_nested_literal_loops_are_walked_within_a_bounded_number_of_visits():
    values = "[" + ", ".join(f"'v{i}'" for i in range(16)) + "]"
    nested = "".join(f"{'    ' * d}for a{d} in {values}:\n" for d in range(6)) + "    " * 6 + "f(a0, a5)\n"
    sites = call_sites("hw1.py", ast.parse(nested), {}, {})
    assert 0 < len(sites) < 16**6 and sites[0].callee == "f"


def test_a_call_nested_past_the_recursion_limit_costs_its_calls_not_the_file():
    at = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 1}
    deep: ast.expr = ast.Constant(1, **at)
    for _ in range(2000):  # built as a tree: the parser itself refuses this much nesting in text
        deep = ast.Call(ast.Name("f", ast.Load(), **at), [deep], [], **at)
    first = ast.Expr(ast.Call(ast.Name("g", ast.Load(), **at), [], [], **at), **at)
    tree = ast.Module([first, ast.Expr(deep, **at)], [])
    sites = call_sites("hw1.py", tree, {}, {})
    assert sites[0].callee == "g" and fold(deep, {}, {}) is FOLD_FAILED
