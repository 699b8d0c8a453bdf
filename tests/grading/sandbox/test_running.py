"""Running a student's code in the sandbox with stand-in data and short training, and reading back its models."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import nbformat
import pytest
from torch import nn

from ee449.grading import sandbox
from ee449.grading.sandbox import runner, warm, zygote
from ee449.grading.sandbox.isolation import isolation
from ee449.grading.sandbox.running import RecordedModel, programs, run_notes
from ee449.spec import INPUT_SHAPE

MODELS = '''
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


class TinyNet(nn.Module):
    def __init__(self, width, act):
        super().__init__()
        self.block = Block(1)
        self.fc = nn.Linear(1024, width)
        self.act = act()
        self.out = nn.Linear(width, 10, bias=False)

    def forward(self, x):
        return self.out(self.act(self.fc(self.block(x).flatten(1))))


class Probe(nn.Module):
    """Made with what the stand-in data looks like, so that the record shows it."""

    def __init__(self, batch_shape, train_length, batches):
        super().__init__()
'''

MAIN = """
import torch
import torchvision
import torchvision.transforms as T
from torch import nn

import models as m

net = m.TinyNet(8, nn.ReLU)
odd = m.TinyNet(4, lambda: nn.Tanh())
with open("written_by_the_script.txt", "w") as handle:
    handle.write("never in the graded folder")
transform = T.Compose([T.ToTensor(), T.Grayscale()])
full = torchvision.datasets.CIFAR10("./data", train=True, download=True, transform=transform)
train_set, val_set = torch.utils.data.random_split(full, [45000, 5000])
loader = torch.utils.data.DataLoader(train_set, batch_size=50, shuffle=True, num_workers=4)
images, labels = next(iter(loader))
probe = m.Probe(list(images.shape), len(train_set), len(loader))
optimizer = torch.optim.Adam(net.parameters())
for epoch in range(300):  # 900 batches an epoch for real: hours; here one batch, remembered outputs
    for images, labels in loader:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(images), labels).backward()
        optimizer.step()
after = m.TinyNet(16, nn.Sigmoid)
while True:  # a loop that never ends: stopped once quiet, then the next statement runs
    pass
open("results_they_did_not_submit.pkl", "rb")
after_the_error = m.TinyNet(32, nn.ReLU)
"""


def _notebook() -> str:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "from models import TinyNet\nfrom torch import nn\nraise RuntimeError('a broken cell')"
        ),
        nbformat.v4.new_code_cell("x = 1\nin_notebook = TinyNet(2, nn.ReLU)"),
    ]
    return nbformat.writes(notebook)


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode() + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def _warm_run(work: Path, parent: Path, joined: bool) -> tuple[Path, object]:
    """The grader's own way: the run in the warm child (`warm`), the models pass left waiting; the
    graded copy is root/submitted."""
    root = sandbox.make_sandbox(parent)
    graded = sandbox.copy_submission(work, root, runner.SUBMITTED)
    sandbox.copy_submission(graded, root)
    course = runner.prepare(root, None)
    started = warm.start(root, course, 6144, isolation(), INPUT_SHAPE)
    assert isinstance(started, warm.Started)
    assert (started.child.pid1 is not None) == joined, "not the way this run was asked for"
    run, waiting = warm.ran(started)
    assert waiting is not None, run.failure  # alive, waiting for "go"
    waiting.close()
    return graded, run


@pytest.fixture(scope="module", params=["own interpreter", "zygote"])
def ran(request, tmp_path_factory):
    """The same submission run the grader's two ways: a warm interpreter bwrap starts in the sandbox
    (`EE449_ZYGOTE=0`, and the fence), and a process of the zygote's that joined it (bubblewrap)."""
    work = tmp_path_factory.mktemp("submission")
    (work / "models.py").write_text(textwrap.dedent(MODELS))
    (work / "main.py").write_text(textwrap.dedent(MAIN))
    (work / "nb.ipynb").write_text(_notebook())
    (work / "broken.py").write_text("def f(:\n    pass\n")  # does not parse: nothing of it runs
    before = _tree_hash(work)
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "own interpreter":
            patch.setenv(zygote.ENV, "0")
        elif isolation().mode != "bwrap":
            pytest.skip("the zygote joins bubblewrap's sandboxes only")
        work, run = _warm_run(work, tmp_path_factory.mktemp("sandbox"), request.param == "zygote")
    return work, run, before


def _made(run, line_text: str) -> RecordedModel:
    found = [m for m in run.models if line_text in m.text]
    assert len(found) == 1, f"{line_text!r} among {[m.text for m in run.models]}"
    return found[0]


def _torch_count(width: int) -> int:
    namespace: dict = {}
    exec(textwrap.dedent(MODELS), namespace)  # our own fixture code, in the test process
    return sum(p.numel() for p in namespace["TinyNet"](width, nn.ReLU).parameters())


@pytest.mark.slow
def test_only_the_entry_points_run_and_the_graded_folder_is_untouched(ran):
    work, run, before = ran
    # models.py is imported by main.py: not an entry point; broken.py runs nothing, costs nothing
    assert run.ran == ("broken.py", "main.py", "nb.ipynb")
    assert dict(run.endings)["broken.py"] == ""
    assert _tree_hash(work) == before
    assert not (work / "written_by_the_script.txt").exists()


@pytest.mark.slow
def test_every_model_is_recorded_with_its_call_past_a_failing_statement(ran):
    _, run, _ = ran
    net = _made(run, "net = m.TinyNet(8, nn.ReLU)")
    assert (net.class_name, net.defined_file, net.program, net.file) == (
        "TinyNet",
        "models.py",
        "main.py",
        "main.py",
    )
    assert net.line == MAIN.splitlines().index("net = m.TinyNet(8, nn.ReLU)") + 1
    assert net.args == (8, {"__torch__": "torch.nn.ReLU", "__call__": False}) and net.kwargs == ()
    assert net.parameters == _torch_count(8)
    assert net.output == (50, 10) and not net.nested
    assert [(layer.type, layer.bias) for layer in net.layers if layer.type == "Linear"] == [
        ("Linear", True),
        ("Linear", False),
    ]
    assert _made(run, "after = m.TinyNet(16, nn.Sigmoid)").parameters == _torch_count(16)
    assert _made(run, "after_the_error = m.TinyNet(32, nn.ReLU)").parameters == _torch_count(
        32
    )  # after the failing line
    assert dict(run.endings)["main.py"].startswith("FileNotFoundError")


@pytest.mark.slow
def test_a_block_made_inside_a_model_is_recorded_as_nested(ran):
    _, run, _ = ran
    blocks = [m for m in run.models if m.class_name == "Block"]
    assert blocks and all(m.nested for m in blocks)


@pytest.mark.slow
def test_arguments_that_cannot_be_rebuilt_keep_only_their_text(ran):
    _, run, _ = ran
    odd = _made(run, "odd = m.TinyNet(4, lambda: nn.Tanh())")
    assert odd.args is None and odd.arguments_repr.startswith("4, <function")


@pytest.mark.slow
def test_the_stand_in_data_has_the_real_lengths_and_the_transforms_shape(ran):
    _, run, _ = ran
    probe = _made(run, "probe = m.Probe(")
    assert probe.args == ([50, 1, 32, 32], 45000, 1)


@pytest.mark.slow
def test_a_notebook_runs_cell_after_cell_past_an_error(ran):
    _, run, _ = ran
    model = _made(run, "in_notebook = TinyNet(2, nn.ReLU)")
    assert (model.program, model.file) == ("nb.ipynb", "nb.ipynb")
    assert any(note.startswith("ran nb.ipynb") for note in run_notes(run))


def test_programs_are_the_scripts_no_other_file_imports(tmp_path):
    (tmp_path / "models.py").write_text("class A: pass\n")
    (tmp_path / "train.py").write_text("from models import A\n")
    (tmp_path / "plots.py").write_text("import numpy\n")
    assert [p["rel"] for p in programs(tmp_path)] == ["plots.py", "train.py"]
