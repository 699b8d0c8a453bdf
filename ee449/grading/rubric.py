"""Points and visibility per check, from a rubric file (JSON, or TOML where tomllib/tomli exists).

A rubric is an ordered list of rules; each check takes the first rule whose `match` (a glob on
the check id where `*` and `?` are the only wildcards and brackets are literal, e.g. `arch/*/layers`, `conv/matches_reference[*]`) fits it:

    {"title": "...", "rules": [{"match": "arch/*_sigmoid/*", "points": 0},
                               {"match": "arch/*/layers", "points": 4, "visibility": "visible"}]}

A check no rule matches is worth 0 points (reported, not scored). Visibility is Gradescope's:
visible, hidden, after_due_date or after_published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_RUBRIC = "default_rubric.json"
# Named rubrics a course picks with `--rubric NAME`: the default with some rules' points changed,
# so a preset keeps every other rule (and whatever else the default carries) as the default has it.
PRESETS: dict[str, dict[str, float]] = {
    "default": {},  # what a PDF can hold: the code (result files reported, not scored)
    "with-results": {"results/*": 1.0},  # a course that collects result files: 1 point per check
}


@dataclass(frozen=True)
class Rule:
    match: str
    points: float
    visibility: str = "visible"


@dataclass(frozen=True)
class Deduction:
    """What one diagnosed defect of an architecture costs (once, whichever checks it fails), and why."""

    code: str  # a diagnosis code, e.g. 'missing_bias'
    points: float
    reason: str = ""


@dataclass(frozen=True)
class Rubric:
    title: str
    rules: tuple[Rule, ...]
    # Per-defect prices for the architectures (see `deductions`); none: each check costs its points.
    deductions: tuple[Deduction, ...] = ()

    def deduction_for(self, code: str) -> Deduction | None:
        return next((d for d in self.deductions if d.code == code), None)

    def rule_for(self, check_id: str) -> Rule:
        for rule in self.rules:
            if glob_match(rule.match, check_id):
                return rule
        return Rule(match="", points=0.0)


def glob_match(pattern: str, check_id: str) -> bool:
    """`*` matches any run of characters, `?` one; everything else, brackets included, is literal."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, check_id, flags=re.DOTALL) is not None


def _parse(data: object, origin: str) -> Rubric:
    if not isinstance(data, dict):
        raise ValueError(f"rubric {origin} must be a table/object with 'rules', got {type(data).__name__}")
    unknown = set(data) - {"title", "rules", "deductions"}
    if unknown:
        raise ValueError(
            f"rubric {origin} has unknown keys {sorted(unknown)}; expected 'title', 'rules' and 'deductions'"
        )
    rules_data = data.get("rules")
    if not isinstance(rules_data, list) or not rules_data:
        raise ValueError(f"rubric {origin} needs a non-empty list 'rules'")
    rules = []
    for i, entry in enumerate(rules_data):
        if not isinstance(entry, dict) or "match" not in entry or "points" not in entry:
            raise ValueError(f"rubric {origin} rule {i} must have 'match' and 'points', got {entry!r}")
        extra = set(entry) - {"match", "points", "visibility", "note"}
        if extra:
            raise ValueError(f"rubric {origin} rule {i} has unknown keys {sorted(extra)}")
        points = entry["points"]
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ValueError(
                f"rubric {origin} rule {i} ({entry['match']}): points must be a number >= 0, got {points!r}"
            )
        visibility = entry.get("visibility", "visible")
        if visibility not in VISIBILITIES:
            raise ValueError(
                f"rubric {origin} rule {i} ({entry['match']}): visibility {visibility!r} "
                f"is not one of {', '.join(VISIBILITIES)}"
            )
        rules.append(Rule(str(entry["match"]), float(points), visibility))
    return Rubric(
        str(data.get("title", origin)), tuple(rules), _deductions(data.get("deductions", {}), origin)
    )


def _deductions(data: object, origin: str) -> tuple[Deduction, ...]:
    """`{"missing_bias": {"points": 1, "reason": "..."}, ...}` as Deductions, checked."""
    if not isinstance(data, dict):
        raise ValueError(f"rubric {origin}: 'deductions' must map diagnosis codes to {{points, reason}}")
    found = []
    for code, entry in data.items():
        if not isinstance(entry, dict) or "points" not in entry or set(entry) - {"points", "reason"}:
            raise ValueError(
                f"rubric {origin} deduction {code!r} must be {{'points': number, 'reason': text}}, got {entry!r}"
            )
        points = entry["points"]
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ValueError(
                f"rubric {origin} deduction {code!r}: points must be a number >= 0, got {points!r}"
            )
        found.append(Deduction(str(code), float(points), str(entry.get("reason", ""))))
    return tuple(found)


def _preset(name: str) -> Rubric:
    text = resources.files("ee449.grading").joinpath(DEFAULT_RUBRIC).read_text(encoding="utf-8")
    rubric = _parse(json.loads(text), DEFAULT_RUBRIC)
    changed = PRESETS[name]
    if not changed:
        return rubric
    rules = tuple(replace(r, points=changed.get(r.match, r.points)) for r in rubric.rules)
    assert {r.match for r in rules} >= set(changed), f"preset {name} names a rule the default lacks"
    return replace(rubric, title=f"{rubric.title} [preset {name}: {changed}]", rules=rules)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The rubric at `path` (.json or .toml), a preset by name (`PRESETS`), or the default one shipped with ee449."""
    if path is None:
        return _preset("default")
    if str(path) in PRESETS and not Path(path).is_file():
        return _preset(str(path))
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"rubric file {path} does not exist, and it is not a preset ({', '.join(PRESETS)})")
    if path.suffix == ".toml":
        try:
            import tomllib  # Python 3.11+
        except ImportError:
            try:
                import tomli as tomllib  # the same parser for Python 3.10
            except ImportError:
                raise ValueError(
                    f"reading {path} needs Python 3.11+ or the 'tomli' package; or write the rubric as JSON"
                ) from None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"rubric {path} is not valid TOML: {error}") from None
    elif path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"rubric {path} is not valid JSON: {error}") from None
    else:
        raise ValueError(f"rubric {path} must be a .json or .toml file")
    return _parse(data, str(path))
