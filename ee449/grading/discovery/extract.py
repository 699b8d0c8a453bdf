"""Pick the graded definitions out of a student's files without running their scripts.

A student's `part3.py` trains for hours at the top level; we want only `my_conv2d`, the
architecture classes, and what they need. Each file is parsed with `ast`; for each graded
target we take its definition plus, transitively, the imports, module-level constants, helper
functions and classes it references (found with `symtable`, so a local variable that happens to
share a name with a top-level training variable does not drag that training code in). Each
target's definitions are written to its own small module, so a broken helper of one target
cannot cost another target its points. Nothing here imports or runs student code.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ee449.grading.discovery import construct, naming, parsing, provenance, run_matching, sources, static
from ee449.grading.discovery.bindings import top_level_bindings
from ee449.grading.discovery.closure import SourceFile, closure, index_statements, render
from ee449.grading.discovery.static import adam_learning_rates
from ee449.grading.sandboxed.checks.manifest import Target
from ee449.grading.sandboxed.checks.rules import XOR_TARGET
from ee449.spec import ARCHITECTURES

CONV_TARGET = "my_conv2d"


def target_keys() -> tuple[str, ...]:
    """Every target the grader looks for: my_conv2d, the five architectures, their sigmoid variants."""
    return (CONV_TARGET, *ARCHITECTURES, *(f"{arch}_sigmoid" for arch in ARCHITECTURES))


def match_target(name: str) -> str | None:
    """The target key a student's top-level name stands for, or None (see `naming.match_target`).

    `mlp_1`, `MLP_1`, `Mlp1`, `mlp1_relu`, `MLP1Net`, `model_mlp1`, `ReLU_CNN4` -> the architecture;
    `cnn_3_sigmoid`, `CNN3Sigmoid` -> 'cnn_3_sigmoid'; `my_conv2d`, `myConv2d` -> 'my_conv2d'.
    """
    return naming.match_target(name)


Found = Target  # discovery's name for what it found: the manifest's record, one for both sides


@dataclass
class Extraction:
    found: dict[str, Found] = field(default_factory=dict)
    parse_errors: dict[str, str] = field(default_factory=dict)  # file -> "line 3: invalid syntax"
    files: list[str] = field(default_factory=list)
    unresolved: dict[str, list[str]] = field(default_factory=dict)  # target -> names not found
    adam_lrs: list[tuple[str, int, float | None]] = field(
        default_factory=list
    )  # (file, line, lr or None=default)
    library_convs: list[tuple[str, int, str]] = field(
        default_factory=list
    )  # in my_conv2d: (file, line, name)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> why it was not read
    others: dict[str, list[str]] = field(default_factory=dict)  # target -> the other claims, not graded
    refused: dict[str, str] = field(default_factory=dict)  # target -> why it is ee449's, not the student's
    shadowing: list[str] = field(default_factory=list)  # files named like an installed module (numpy.py)

    def to_json(self) -> dict:
        return {
            "found": {k: asdict(v) for k, v in self.found.items()},
            "parse_errors": self.parse_errors,
            "files": self.files,
            "unresolved": self.unresolved,
            "refused": self.refused,
        }


# The libraries the homework's code imports. A submission's file with one of these names
# (`numpy.py`) is not what its `import numpy as np` means: the grader runs the code with the
# installed library first on the path and reads the imports the same way. Other names that
# an installed module also has (`code.py`, `utils.py`) stay the student's: running their script
# from its folder imports their file first, and so does the grader's reading.
LIBRARIES = frozenset(
    {"numpy", "torch", "torchvision", "matplotlib", "scipy", "PIL", "sklearn", "pandas", "tqdm"}
)


def _module_names(files: dict[str, SourceFile]) -> set[str]:
    return {Path(rel).stem for rel in files} | {
        Path(rel).parts[0] for rel in files if len(Path(rel).parts) > 1
    }


def _local_module_names(files: dict[str, SourceFile]) -> set[str]:
    """The submission's modules that its imports can reach (not a file named like a LIBRARY)."""
    return _module_names(files) - LIBRARIES


def _parse(folder: Path, extraction: Extraction) -> dict[str, SourceFile]:
    parsed: dict[str, SourceFile] = {}
    try:
        found = sources.read_sources(folder)
    except Exception as error:  # noqa: BLE001 - no code read: every part fails with this note, the grade is written
        extraction.skipped["the submission's files"] = _grader_failure(
            "could not list your code files", error
        )
        return parsed
    extraction.skipped.update(found.skipped)
    for source in found.files:
        rel = source.rel
        extraction.files.append(rel)
        for cell, why in source.left_out:
            extraction.skipped[f"{rel}, cell {cell}"] = f"does not parse ({why}): left out"
        try:
            tree = parsing.parse(source.text, rel)
        except SyntaxError as error:
            extraction.parse_errors[rel] = f"line {error.lineno}: {error.msg}"
            continue
        except (ValueError, RecursionError) as error:  # null bytes, absurd nesting
            extraction.parse_errors[rel] = str(error)
            continue
        try:
            parsed[rel] = SourceFile(rel, tree, top_level_bindings(tree), source, source.text.encode("utf-8"))
            index_statements(parsed[rel])
        except (RecursionError, MemoryError, SyntaxError, ValueError) as error:
            # Valid Python the grader cannot take apart (nesting deeper than the compiler's limit):
            # this file is not graded, the others are.
            parsed.pop(rel, None)
            extraction.parse_errors[rel] = (
                f"too deeply nested for the grader to read "
                f"({type(error).__name__}: {error}); split long expressions"
            )
        except Exception as error:  # noqa: BLE001 - a grader bug on one file costs that file, not the grade
            parsed.pop(rel, None)
            extraction.skipped[rel] = _grader_failure("could not read this file", error)
    return parsed


def _grader_failure(what: str, error: BaseException) -> str:
    """The note for a part the grader itself failed on: the student is told it is not their fault."""
    return (
        f"the grader {what} ({type(error).__name__}: {str(error)[:200]}); this is a limitation of the "
        "grader, not an error in your code: ask your TA to grade this part by hand"
    )


def xor_class(files: dict[str, ast.Module]) -> tuple[str, str] | None:
    """(file, name) of the student's XOR network: a top-level class defining both `forward` and
    `backward` (the skeleton's methods) that is no torch module; one named MLP first, then file order."""
    found = []
    for rel, tree in files.items():
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
            bases = {ast.unparse(base).rpartition(".")[2] for base in node.bases}
            if {"forward", "backward"} <= methods and "Module" not in bases:
                found.append((rel, node.name))
    named = [f for f in found if f[1].casefold() == "mlp"]
    return (named or found)[0] if found else None


def extract(
    folder: str | Path,
    out_dir: str | Path,
    ran: dict[str, run_matching.RunMatch] | None = None,
    xor: bool = False,
) -> Extraction:
    """Find every target in `folder`'s .py files and notebooks and write one module per target into `out_dir`.

    my_conv2d: the first definition in file order (sorted paths, then line). An architecture:
    the best claim of `construct.find_claims` (a definition the student's code uses first), with
    the constructions the sandbox tries. Returns what was found, where, and which files could not
    be parsed or were skipped. `ran`: the models running the student's code made
    (`run_matching.match`), each put first among its architecture's claims. `xor`: the edition's
    Part 1 is the NumPy XOR network, whose class is looked for too (`xor_class`).
    """
    folder, out_dir = Path(folder), Path(out_dir)
    if not folder.is_dir():
        raise ValueError(f"submission folder {folder} does not exist or is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    extraction = Extraction()
    files = _parse(folder, extraction)
    local = _local_module_names(files)
    extraction.shadowing = sorted(
        rel for rel in files if Path(rel).stem in LIBRARIES and len(Path(rel).parts) == 1
    )
    for rel, parsed in files.items():
        try:
            extraction.adam_lrs += [(rel, line, lr) for line, lr in adam_learning_rates(parsed.tree)]
        except RecursionError:  # ast.walk of absurd nesting: this file's Adam calls go unread
            pass

    def where(rel: str, line: int) -> str:
        source = files[rel].source
        return source.where(line) if source is not None else f"{rel}, line {line}"

    def write(key: str, rel: str, name: str, node: ast.stmt) -> Found:
        pieces, missing = closure((rel, name), files, local)
        uses = provenance.reference_uses(pieces)
        if key == CONV_TARGET:
            extraction.library_convs = static.library_convs(pieces) + [
                (use.file, use.line, f"{provenance.PACKAGE}'s reference") for use in uses
            ]
        module = f"target_{key}.py"
        if uses:
            extraction.refused[key] = uses[0].sentence(name)
        text = provenance.refusal(uses[0].sentence(name)) if uses else render(pieces, files, name)
        (out_dir / module).write_text(text, encoding="utf-8")
        if missing:
            extraction.unresolved[key] = missing
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        return Found(key, name, rel, node.lineno, module, kind, where(rel, node.lineno))

    def write_or_note(key: str, rel: str, name: str, node: ast.stmt) -> Found | None:
        try:
            return write(key, rel, name, node)
        except Exception as error:  # noqa: BLE001 - a grader bug on one target costs that target only
            extraction.skipped[f"{name} ({where(rel, node.lineno)})"] = _grader_failure(
                f"could not take {name} out of {rel} for {key}", error
            )
            return None

    for rel, parsed in files.items():
        for name, node in parsed.table.items():
            if CONV_TARGET in extraction.found or match_target(name) != CONV_TARGET:
                continue
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                conv = write_or_note(CONV_TARGET, rel, name, node)
                if conv is not None:
                    extraction.found[CONV_TARGET] = conv
    chosen = xor_class({rel: parsed.tree for rel, parsed in files.items()}) if xor else None
    if chosen is not None:
        rel, name = chosen
        network = write_or_note(XOR_TARGET, rel, name, files[rel].table[name])
        if network is not None:
            extraction.found[XOR_TARGET] = network
    parsed_files = [
        construct.ParsedFile(rel, f.tree, f.table, functools.partial(where, rel)) for rel, f in files.items()
    ]

    def module_file(module: str) -> str | None:
        return next((rel for rel in files if Path(rel).stem == module), None)

    claims_by_key, failed = construct.find_claims_per_file(parsed_files, module_file)
    for rel, error in failed.items():
        extraction.skipped[rel] = _grader_failure("could not find the models in this file", error)
    found_by = run_matching.promote(
        claims_by_key, ran or {}, lambda rel: files[rel].table if rel in files else {}, where
    )
    for key, claims in claims_by_key.items():
        best = claims[0]
        found = write_or_note(key, best.file, best.name, files[best.file].table[best.name])
        if found is None:
            continue
        found.evidence = best.evidence
        found.constructions = [c.to_json() for c in best.constructions]
        found.found_by = found_by.get(key, "")
        extraction.found[key] = found
        extraction.others[key] = [f"{c.name} ({where(c.file, c.line)})" for c in claims[1:]]
    return extraction
