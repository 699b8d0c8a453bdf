"""The control panel of the test suite.

- Markers: every marker is registered here with one line; `--strict-markers` (pyproject) makes a
  typo an error.
- Hypothesis profiles: `dev` (fast, default on laptops) and `ci` (more examples, no deadline),
  chosen by the `CI` environment variable or `--hypothesis-profile`.
- GPU: `gpu` tests are skipped without CUDA, unless `--require-gpu` is given, which turns the
  skip into a failure so that a GPU box cannot pass by skipping. `--gpu-on-cpu` (or
  `EE449_GPU_TESTS_ON_CPU=1`) runs the gpu tests that take the `gpu_device` fixture (the full
  experiments) on the CPU at tiny settings instead, so CI runs their code on every commit. Under pytest-xdist each worker
  is pinned to one GPU (round robin) before CUDA initialises, so `pytest -m gpu -n 4` spreads
  the GPU tests over four GPUs.
- Third-party data (the course's Part 2 files, the CIFAR-10 archive) is found through
  environment variables or `../shared`, never committed; tests that need it skip when absent.
"""

from __future__ import annotations

import os
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent

MARKERS = {
    "gpu": "needs a CUDA GPU; skipped without one unless --require-gpu is given",
    "slow": "takes more than a few seconds on a 2-core CPU",
    "network": "needs internet access (downloads); skipped when offline",
}


def _pin_xdist_worker_to_one_gpu() -> None:
    """Give each xdist worker its own GPU before anything initialises CUDA.

    `gw0` gets GPU 0, `gw1` GPU 1, ... modulo the number of visible GPUs. The count comes from
    nvidia-smi so that CUDA itself is not touched here (touching it would fix the device list).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    match = re.fullmatch(r"gw(\d+)", worker)
    if not match or "EE449_NO_GPU_PINNING" in os.environ:
        return
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        gpus = [g for g in visible.split(",") if g.strip()]
    else:
        try:
            listing = subprocess.run(
                ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=20,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return
        gpus = [line.strip() for line in listing.splitlines() if line.strip()]
    if gpus:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus[int(match.group(1)) % len(gpus)]


_pin_xdist_worker_to_one_gpu()


def _one_cpu_thread_per_xdist_worker() -> None:
    """Under `-n N` every worker is a process: N workers x the default thread count
    oversubscribes the cores, and PyTorch's small-model steps then run several times slower
    (measured here: a cnn_4 step 0.12 s with one thread, 0.84 s with two, on a busy 2-core
    machine). Set before torch is imported; inherited by the subprocesses tests start. An
    explicit OMP_NUM_THREADS wins."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("MKL_NUM_THREADS", "1")
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_one_cpu_thread_per_xdist_worker()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-gpu",
        action="store_true",
        default=False,
        help="fail (instead of skip) gpu-marked tests when CUDA is not available",
    )
    parser.addoption(
        "--gpu-on-cpu",
        action="store_true",
        default=os.environ.get("EE449_GPU_TESTS_ON_CPU", "") not in ("", "0"),
        help="run the gpu tests that take `gpu_device` on the CPU at tiny settings (their wiring, "
        "not their science; also EE449_GPU_TESTS_ON_CPU=1)",
    )
    parser.addoption(
        "--run-network",
        action="store_true",
        default=False,
        help="run network-marked tests (they download); otherwise they are skipped",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    _load_hypothesis_profiles()
    # --require-gpu on a machine without CUDA: one error, now, not one failed test per gpu test after
    # minutes of collection. xdist's workers skip it: the controller checked before starting them.
    # (xdist workers, which have `workerinput`, leave it to the controller; an env variable would be
    # inherited by a pytest that a test starts)
    if config.getoption("--require-gpu") and not hasattr(config, "workerinput") and not _cuda_available():
        raise pytest.UsageError(
            "--require-gpu was given but CUDA is not available on this machine "
            "(torch.cuda.is_available() is False); drop --require-gpu to skip the gpu tests"
        )


def _load_hypothesis_profiles() -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # hypothesis is a test extra; plain pytest still works without it
        return
    settings.register_profile("dev", max_examples=30, deadline=None)
    settings.register_profile(
        "ci",
        max_examples=60,
        deadline=None,
        derandomize=True,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    require_gpu = config.getoption("--require-gpu")
    gpu_items = [item for item in items if "gpu" in item.keywords]
    if config.getoption("--gpu-on-cpu"):  # these run on the CPU: nothing to skip
        gpu_items = [item for item in gpu_items if "gpu_device" not in getattr(item, "fixturenames", ())]
    if gpu_items and not require_gpu and not _cuda_available():
        skip = pytest.mark.skip(reason="needs CUDA (pass --require-gpu to fail instead of skip)")
        for item in gpu_items:
            item.add_marker(skip)
    if not config.getoption("--run-network"):
        skip_net = pytest.mark.skip(reason="needs the network; pass --run-network to run")
        for item in items:
            if "network" in item.keywords:
                item.add_marker(skip_net)


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


@pytest.fixture
def require_cuda(request: pytest.FixtureRequest) -> str:
    """The CUDA device for a gpu test; fails (not skips) under --require-gpu when absent."""
    if not _cuda_available():
        if request.config.getoption("--require-gpu"):
            pytest.fail("--require-gpu was given but CUDA is not available")
        pytest.skip("needs CUDA")
    return "cuda"


@pytest.fixture(scope="session")
def gpu_device(request: pytest.FixtureRequest) -> str:
    """Where a gpu test trains: "cpu" under --gpu-on-cpu (tiny settings), else CUDA as `require_cuda`."""
    if request.config.getoption("--gpu-on-cpu"):
        return "cpu"
    if not _cuda_available():
        if request.config.getoption("--require-gpu"):
            pytest.fail("--require-gpu was given but CUDA is not available")
        pytest.skip("needs CUDA")
    return "cuda"


# --- third-party data, found, never committed ----------------------------------------------


def shared_dir() -> Path | None:
    """`$EE449_SHARED`, else `../shared` beside the repository (CI has it; a fresh clone not)."""
    env = os.environ.get("EE449_SHARED")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def course_data_dir() -> Path:
    """The course's Part 2 files (`samples_X.npy`, `kernel.npy`); skip when absent."""
    env = os.environ.get("EE449_COURSE_DATA")
    shared = shared_dir()
    candidate = Path(env) if env else (shared / "course-data" if shared else None)
    if candidate is None or not (candidate / "kernel.npy").is_file():
        pytest.skip("course data not found: set EE449_COURSE_DATA or provide ../shared/course-data")
    return candidate


@pytest.fixture(scope="session")
def cifar_image_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real CIFAR-10 as an image-folder tree (`train/<class>/*`, `test/<class>/*`).

    `$EE449_CIFAR_DIR` names an unpacked tree; otherwise `../shared/data/cifar10-jpg.tar.gz` is
    unpacked once per session into a temporary folder (outside the repository). Skips when
    neither exists.
    """
    env = os.environ.get("EE449_CIFAR_DIR")
    if env:
        root = Path(env)
        if not (root / "train").is_dir():
            pytest.fail(f"EE449_CIFAR_DIR={env} has no train/ folder")
        return root
    shared = shared_dir()
    archive = shared / "data" / "cifar10-jpg.tar.gz" if shared else None
    if archive is None or not archive.is_file():
        pytest.skip("CIFAR-10 archive not found: set EE449_CIFAR_DIR or provide ../shared/data")
    target = tmp_path_factory.mktemp("cifar10-jpg")
    try:
        # The tar program unpacks the 60,000 small files about 6x faster than Python's tarfile.
        subprocess.run(
            ["tar", "-xzf", str(archive), "-C", str(target)], check=True, capture_output=True, timeout=300
        )
    except (OSError, subprocess.SubprocessError):
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return target / "cifar10"


# --- shared fixtures of the training tests ----------------------------------------------------


@pytest.fixture(scope="module")
def one_cpu_thread():
    """One PyTorch CPU thread for a module of tiny-model tests: they run fastest so, and several
    times faster than with two threads when the machine is busy (as under `-n 2`)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_synthetic_data():
    """A real, tiny `DataSplits` (synthetic: 180 training, 20 validation, 50 test images)."""
    from ee449.data import load_cifar10

    return load_cifar10("synthetic", synthetic_per_class=(20, 5))
