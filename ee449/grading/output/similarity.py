"""Similarity hints for a class: pairs whose graded code is near-identical once names, comments and layout go.

What is compared is what was graded: the module `extract` wrote for `my_conv2d` and for each
of the five architectures (the definition and the helpers it reaches), never the training
scripts around them. Each is parsed and walked into a token stream in which the student's own
names (variables, arguments, functions, classes, `self.` attributes) become one placeholder,
strings another, docstrings and comments are gone, and the library calls (`np.zeros`,
`nn.Conv2d`) and numbers stay; so renaming, re-commenting and reformatting change nothing.
The stream is cut into k-grams, hashed and winnowed (Schleimer, Wilkerson and Aiken, SIGMOD
2003: the smallest hash of every window of w, which keeps any shared run of w + k - 1 tokens),
per target, so moving classes or helpers around changes nothing either.

A pair's similarity is the share of fingerprints they have in common (over the smaller of the
two), over all their targets together, after taking away the course's skeleton code (given as
a file) and, in a class of at least MIN_CLASS_FOR_COMMON, the fingerprints that most of the
class shares (code the homework dictates). It is a hint for a person to read the two side by
side, never a verdict.

Own code rather than copydetect (MOSS-style winnowing on pygments tokens): ee449 already has
each target's code as a module, an AST walk normalises Python names exactly where a lexer only
guesses, and no new dependency (copydetect brings pygments, jinja2 and numpy versions of its own).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
from dataclasses import dataclass
from itertools import combinations
from typing import Iterator, Mapping

from ee449.spec import ARCHITECTURES

TARGETS = ("my_conv2d", *ARCHITECTURES)
K = 12  # tokens per k-gram: about one statement; shorter grams match any two correct models
WINDOW = 6  # winnowing window: a shared run of K + WINDOW - 1 = 17 tokens is always found
FLAG_AT = 0.8  # share of fingerprints from which a pair is flagged
COMMON_SHARE = 0.5  # fingerprints in more than this share of the class are the homework's, not a copy
MIN_CLASS_FOR_COMMON = 20  # below this, "most of the class" is a handful of students, maybe all copies
BUILTINS = frozenset(dir(builtins))


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _is_docstring(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _library_chain(node: ast.Attribute, imported: set[str]) -> bool:
    """Whether `node` is `np.x`, `nn.functional.y`, ...: an attribute chain rooted at an imported name."""
    base: ast.AST = node
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and base.id in imported


def tokens(source: str) -> list[str]:
    """The normalised token stream of a module ([] when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    imported = _imported(tree)
    out: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_docstring(node):
            return  # imports say nothing about who wrote the code; docstrings are comments
        out.append(type(node).__name__)
        if isinstance(node, ast.Name):
            out.append(node.id if node.id in imported or node.id in BUILTINS else "ID")
        elif isinstance(node, ast.Attribute):
            out.append(node.attr if _library_chain(node, imported) else "ID")
        elif isinstance(node, ast.Constant):
            out.append(
                repr(node.value) if isinstance(node.value, (int, float, bool)) or node.value is None else "S"
            )
        for child in ast.iter_child_nodes(node):
            visit(child)

    try:
        for statement in tree.body:
            visit(statement)
    except RecursionError:
        return []
    return out


def _hash(gram: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(), "big")


def gram_hashes(source: str) -> list[int]:
    """The hash of every k-gram of the module's token stream, in order."""
    stream = tokens(source)
    return [_hash(tuple(stream[i : i + K])) for i in range(len(stream) - K + 1)]


def fingerprints(source: str) -> set[int]:
    """Winnowed hashes of the module's k-grams (the minimum of each window)."""
    hashes = gram_hashes(source)
    if len(hashes) <= WINDOW:
        return set(hashes)
    chosen = set()
    for start in range(len(hashes) - WINDOW + 1):
        window = hashes[start : start + WINDOW]
        chosen.add(min(window))
    return chosen


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    similarity: float  # shared fingerprints over the smaller set, all targets together
    per_target: tuple[tuple[str, float], ...]  # the same, target by target (targets both have)

    @property
    def flagged(self) -> bool:
        return self.similarity >= FLAG_AT


def _share(a: set, b: set, removed: set) -> float:
    """What the two share beyond `removed` (skeleton, class-common), over the smaller one's whole code.

    Over the whole code, not over what is left: two students who wrote little beyond the
    skeleton share a few grams, which must not read as 100 %.
    """
    return len((a & b) - removed) / min(len(a), len(b)) if a and b else 0.0


def similar_pairs(code: Mapping[str, Mapping[str, str]], skeleton: str = "") -> list[Pair]:
    """Every pair of students, most similar first, from {student: {target: graded module}}."""
    given = set(gram_hashes(skeleton)) if skeleton else set()  # every gram: winnowing picks by context
    prints = {student: _per_target(targets) for student, targets in code.items()}
    counts: dict[tuple[str, int], int] = {}
    for targets in prints.values():
        for found in set().union(*targets.values()) if targets else set():
            counts[found] = counts.get(found, 0) + 1
    big = len(prints) >= MIN_CLASS_FOR_COMMON
    removed = {f for f, n in counts.items() if f[1] in given or (big and n > COMMON_SHARE * len(prints))}
    pairs = []
    for first, second in combinations(sorted(prints), 2):
        a, b = prints[first], prints[second]
        whole_a = set().union(*a.values()) if a else set()
        whole_b = set().union(*b.values()) if b else set()
        per_target = tuple((t, round(_share(a[t], b[t], removed), 3)) for t in TARGETS if t in a and t in b)
        pairs.append(Pair(first, second, round(_share(whole_a, whole_b, removed), 3), per_target))
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second))


def _per_target(targets: Mapping[str, str]) -> dict[str, set[tuple[str, int]]]:
    """Each target's fingerprints, tagged with the target: a conv gram never matches a model's."""
    return {t: {(t, h) for h in fingerprints(targets[t])} for t in TARGETS if t in targets}


def rendered(pairs: list[Pair]) -> Iterator[str]:
    """One line per flagged pair, for the class summary."""
    for pair in pairs:
        if pair.flagged:
            detail = ", ".join(f"{t} {s:.0%}" for t, s in pair.per_target)
            yield f"{pair.first} ~ {pair.second}: {pair.similarity:.0%} of fingerprints shared ({detail})"
