"""Grade one submission (a folder, .zip or PDF report); a class folder is `classroom`.

Flow for one submission: open it (a .zip is extracted safely), copy it into a fresh sandbox,
pick the graded definitions out with `extract` (no student code runs here), list its result
files, run the checks in the sandbox (`runner`), and score them with the rubric. The grader's
own process never imports student code.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ee449.grading import sandbox
from ee449.grading.discovery import extract, run_matching
from ee449.grading.discovery.constructions import graded_image
from ee449.grading.grade_notes import edition_notes, submission_notes
from ee449.grading.grades import CheckResult, GradeOptions, GradeResult, score_outcome
from ee449.grading.intake import resultfiles
from ee449.grading.intake.pdf.guard import recover_into as recover_reports
from ee449.grading.intake.unzip import safe_extract_zip
from ee449.grading.judging import judge, reference
from ee449.grading.judging.conv import conv_computes
from ee449.grading.judging.deductions import apply_deductions
from ee449.grading.judging.records import load_record
from ee449.grading.output.evidence import collect as collect_evidence
from ee449.grading.rubric import Rubric
from ee449.grading.sandbox import runner, running, signals, warm
from ee449.grading.sandbox.isolation import isolation
from ee449.grading.sandbox.output_folder import OutputFolder
from ee449.grading.sandboxed.checks.manifest import Manifest
from ee449.spec import ARCHITECTURES, edition


def grade_submission(
    path: str | Path, options: GradeOptions | None = None, student: str | None = None
) -> GradeResult:
    """Grade one submission folder or .zip; never raises for anything the submission does."""
    options = options or GradeOptions()
    path = Path(path)
    if not path.exists():
        raise ValueError(f"submission {path} does not exist")
    start = time.monotonic()
    graded_edition = edition(options.homework)
    mode = isolation()
    # The trusted references (a child importing torch, once per process) while the sandbox works.
    threading.Thread(target=_warm_references, args=(options.input_shape,), daemon=True).start()
    root = sandbox.make_sandbox()
    started: warm.Started | running.Run | None = None
    try:
        source, unpacked = path, None
        if path.is_file():
            if path.suffix.lower() not in {".zip", ".pdf"}:
                raise ValueError(f"submission {path} must be a folder, a .zip or a .pdf file")
            unpacked = Path(tempfile.mkdtemp(prefix="unzip-", dir=root))
            if path.suffix.lower() == ".pdf":  # the report alone, as the course asks for it
                source = Path(shutil.copy(path, unpacked)).parent
            else:
                source = safe_extract_zip(path, unpacked)
        # The graded copy (root/submitted: read by the grader, shown read-only to the checks) and the
        # copy the student's code runs in (root/work): what a run writes is never graded.
        work = sandbox.copy_submission(source, root, runner.SUBMITTED)
        if unpacked is not None:
            shutil.rmtree(unpacked, ignore_errors=True)
        recovered = recover_reports(work)  # a PDF report's appended code, read in a limited child
        sandbox.copy_submission(work, root)
        course_copy = runner.prepare(root, str(options.course_data) if options.course_data else None)
        # Running the student's code and reading their result files are two sandboxed children
        # that do not depend on each other: side by side. The run's interpreter stays, waiting to
        # run the models' checks (`warm`).
        started = (
            warm.start(root, course_copy, options.memory_mb, mode, options.input_shape)
            if options.run_code
            else None
        )
        with ThreadPoolExecutor(max_workers=1, initializer=signals.to_the_main_thread) as pool:
            ran = pool.submit(warm.ran, started) if started is not None else None
            try:
                results = resultfiles.find_result_files(work, root, options.memory_mb)
            except KeyboardInterrupt:  # the pool would wait for the run: stop every child first
                sandbox.stop_all()
                raise
            run, waiting = ran.result() if ran is not None else (None, None)
        with graded_image(options.input_shape):  # the guessed constructions size models for this edition
            found = extract.extract(
                work,
                root / "extracted",
                run_matching.match(run.models) if run else None,
                xor=graded_edition.part1 == "xor",
            )
        arch_keys = list(ARCHITECTURES) + [k for k in found.found if k.endswith("_sigmoid")]
        manifest = Manifest.from_json(
            {
                **found.to_json(),
                "root": str(root),
                "work": str(work),
                "extracted": str(root / "extracted"),
                "arch_keys": arch_keys,
                "result_files": results.to_json(),
                "course_data": str(Path(options.course_data).resolve()) if options.course_data else None,
                "homework": options.homework,
                "input_shape": list(options.input_shape),
                "part1": graded_edition.part1,
                "probe_seed": reference.probe_seed(),  # the weights and batch of arch/*/computes (`probe`)
            }
        )
        limits = sandbox.Limits(timeout_s=options.process_timeout, memory_mb=options.memory_mb)
        said, _ = runner.run_checks(root, manifest, limits, options.check_timeout, mode, waiting)
        records = OutputFolder(root, "out", "records")
        outcomes = judge.verdicts(records, manifest, said)
        kept = collect_evidence(records, manifest, said)
        clean = {
            o.id for o in said if o.passed
        }  # checks the sandbox saw end without an error, a write outside...
        computed = conv_computes(
            lambda check_id: load_record(records, check_id) if check_id in clean else None
        )
        checks = apply_deductions([score_outcome(o, options.rubric) for o in outcomes], options.rubric)
        checks += _static_checks(found, options.rubric, computed)
        notes = [r.summary() for r in recovered] + [n for r in recovered for n in r.report_notes]
        notes += (
            submission_notes(found) + running.run_notes(run) + results.notes + edition_notes(options.homework)
        )
        code = {key: _read_text(root / "extracted" / item.module) for key, item in found.found.items()}
        seconds = time.monotonic() - start
        return GradeResult(student or path.stem, checks, seconds, notes, mode, recovered, code, kept)
    finally:
        if isinstance(started, warm.Started):  # whatever happened, it ends with the grading
            started.child.close()
        shutil.rmtree(root, ignore_errors=True)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _warm_references(input_shape: tuple[int, ...]) -> None:
    signals.to_the_main_thread()
    try:
        reference.reference_models(input_shape)
    except Exception:  # noqa: BLE001 - the checks that need them raise it again, in the grading thread
        pass


def _static_checks(found: extract.Extraction, rubric: Rubric, computed: bool) -> list[CheckResult]:
    """What the source shows without running it: a NumPy conv, and Part 3's Adam at its default lr 1e-3.

    `computed`: my_conv2d's output on some drawn case depended on its input (`judging.conv.conv_computes`).
    """
    checks = [score_outcome(_implemented_in_numpy(found, computed), rubric)]
    if not found.adam_lrs:
        return checks
    wrong = [(f, line, lr) for f, line, lr in found.adam_lrs if lr is not None and abs(lr - 1e-3) > 1e-12]
    outcome = runner.Outcome("static/adam_lr", "source", not wrong)
    if wrong:
        f, line, lr = wrong[0]
        outcome.message = f"{f}, line {line}: Adam(lr={lr:g})"
        outcome.diagnoses = [
            [
                "adam_lr",
                f"Part 3 uses Adam with its default parameters (lr = 0.001), but "
                f"{f} line {line} sets lr={lr:g}.",
            ]
        ]
    return [*checks, score_outcome(outcome, rubric)]


def _implemented_in_numpy(found: extract.Extraction, computed: bool) -> runner.Outcome:
    """my_conv2d (with every helper it calls) must not hand the work to a library convolution.

    `computed`: its output depended on its input on at least one drawn case. A wrong NumPy
    convolution still is one (its defects cost the value checks, not this one); a function that
    returns zeros or a constant (a forgery, a stub) implements nothing, in NumPy or otherwise.
    """
    conv = found.found.get(extract.CONV_TARGET)
    outcome = runner.Outcome(
        "conv/implemented_in_numpy",
        extract.CONV_TARGET,
        conv is not None and not found.library_convs and computed,
    )
    if conv is None:
        outcome.message = "no definition of my_conv2d found in your files"
    elif not found.library_convs and not computed:
        outcome.message = (
            f"{conv.name} returned no output that depends on its input (zeros, a constant "
            "or no array), so it does not count as an implementation (see conv/matches_reference)"
        )
    elif found.library_convs:
        uses = [f"{name} ({f}, line {line})" for f, line, name in found.library_convs]
        outcome.message = f"{conv.name} uses a library convolution: {', '.join(uses)}"
        outcome.diagnoses = [
            [
                "library_conv",
                (
                    f"Your {conv.name} calls {found.library_convs[0][2]} ({found.library_convs[0][0]}, line "
                    f"{found.library_convs[0][1]}); the homework asks you to write the convolution with NumPy "
                    "(loops or array operations), not to call a library's convolution."
                ),
            ]
        ]
    return outcome
