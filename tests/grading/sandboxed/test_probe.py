"""arch/*/computes: the grader's weights in a model, its outputs on the grader's batch, and the verdict.

The oracle for "the same network" is a hand-written twin of the reference built in another
order; for "another network", one ReLU removed; the verdict is judged from records on disk.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ee449.grading.judging.arch import ARCH_VERDICTS
from ee449.grading.judging.records import Context, Record
from ee449.grading.judging.reference import compute
from ee449.grading.judging.review import computes_followups
from ee449.grading.sandbox.progress_log import Outcome
from ee449.grading.sandboxed.checks.manifest import Manifest, Target
from ee449.grading.sandboxed.probe import RECORDED_ROWS, computes
from ee449.models import build
from ee449.spec import INPUT_SHAPE

SEED = 20261205


class Cnn3Reordered(nn.Module):
    """The homework's cnn_3, its layers registered last-first, its activations and flatten functional."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(144, 10)
        self.pool = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(8, 16, 7)
        self.conv2 = nn.Conv2d(16, 8, 5)
        self.conv1 = nn.Conv2d(1, 16, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return self.fc(self.pool(self.conv3(x)).reshape(len(x), -1))


class Cnn3HardCodedBatch(Cnn3Reordered):
    """Flattens with the homework's batch written in: it runs on batches of 50 only, as the other checks do."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return self.fc(self.pool(self.conv3(x)).view(50, 144))


class Cnn3WithoutSecondRelu(Cnn3Reordered):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.conv2(F.relu(self.conv1(x))))
        return self.fc(self.pool(self.conv3(x)).reshape(len(x), -1))


def test_the_same_network_built_in_another_order_computes_the_same():
    reference = computes(build("cnn_3", "relu", INPUT_SHAPE), INPUT_SHAPE, SEED)
    torch.manual_seed(7)  # other initial weights: the probe replaces them all
    twin = computes(Cnn3Reordered(), INPUT_SHAPE, SEED)
    assert np.asarray(reference).shape == (RECORDED_ROWS, 10)
    np.testing.assert_allclose(twin, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        computes(Cnn3HardCodedBatch(), INPUT_SHAPE, SEED), reference, rtol=1e-5, atol=1e-6
    )


def test_another_network_or_another_seed_computes_otherwise():
    reference = np.asarray(computes(build("cnn_3", "relu", INPUT_SHAPE), INPUT_SHAPE, SEED))
    other = np.asarray(computes(Cnn3WithoutSecondRelu(), INPUT_SHAPE, SEED))
    reseeded = np.asarray(computes(build("cnn_3", "relu", INPUT_SHAPE), INPUT_SHAPE, SEED + 1))
    assert np.abs(other - reference).max() > 1e-3
    assert np.abs(reseeded - reference).max() > 1e-3


def test_the_model_the_other_checks_use_is_left_as_it_was():
    model = Cnn3Reordered()
    before = copy.deepcopy(model.state_dict())
    computes(model, INPUT_SHAPE, SEED)
    after = model.state_dict()
    assert all(torch.equal(before[name], after[name]) for name in before)


def test_a_double_precision_model_is_probed_in_its_own_precision():
    reference = computes(build("mlp_1", "relu", INPUT_SHAPE), INPUT_SHAPE, SEED)
    doubled = computes(build("mlp_1", "relu", INPUT_SHAPE).double(), INPUT_SHAPE, SEED)
    np.testing.assert_allclose(doubled, reference, rtol=1e-5, atol=1e-6)


# The verdict, from records, with the references the trusted child would compute.
REFERENCES = compute(INPUT_SHAPE, SEED)


def _verdict(outputs: object, layers: list[str] | None) -> tuple[bool, str, list[str]]:
    records = {"arch/cnn_3/layers": Record({"layers": layers, "error": ""})}
    context = Context(Manifest(found={"cnn_3": Target("cnn_3", "Net")}), lambda: REFERENCES, records.get)
    values = {"outputs": np.asarray(outputs)} if not isinstance(outputs, str) else {"error": outputs}
    passed, message, diagnoses = ARCH_VERDICTS["computes"]("cnn_3", Record(values), context)
    return passed, message, [d.code for d in diagnoses]


def test_outputs_that_are_the_homeworks_pass():
    outputs = computes(Cnn3Reordered(), INPUT_SHAPE, SEED)
    assert _verdict(outputs, REFERENCES["cnn_3"]["layers"]) == (True, "", [])


@pytest.mark.parametrize("outputs", ["zeros", "other network", "raised", "wrong shape"])
def test_records_claiming_the_homeworks_layers_with_other_outputs_ask_for_a_person(outputs):
    recorded = {
        "zeros": np.zeros((RECORDED_ROWS, 10)),
        "other network": computes(Cnn3WithoutSecondRelu(), INPUT_SHAPE, SEED),
        "raised": "RuntimeError: nothing was built",
        "wrong shape": np.zeros((RECORDED_ROWS, 3)),
    }[outputs]
    passed, message, codes = _verdict(recorded, REFERENCES["cnn_3"]["layers"])
    assert not passed and codes == ["review_computation"]
    assert message.startswith("review:") and "Net" in message


def test_outputs_are_not_compared_when_the_layers_already_differ():
    layers = [e for e in REFERENCES["cnn_3"]["layers"] if e != "ReLU"]
    passed, message, codes = _verdict(computes(Cnn3WithoutSecondRelu(), INPUT_SHAPE, SEED), layers)
    assert passed and codes == [] and message.startswith("not compared")
    assert _verdict("AttributeError: no conv1", None)[0]  # it could not run: the other checks say so


class Uncopyable(Cnn3Reordered):
    def __deepcopy__(self, memo: dict) -> None:
        raise RuntimeError("Only Tensors created explicitly by the user support the deepcopy protocol")


def test_a_model_that_cannot_be_copied_is_probed_in_place_and_put_back():
    model = Uncopyable().train()
    before = copy.deepcopy(Cnn3Reordered.state_dict(model))
    probed = computes(model, INPUT_SHAPE, SEED)
    np.testing.assert_allclose(probed, computes(Cnn3Reordered(), INPUT_SHAPE, SEED), rtol=1e-6)
    assert model.training and all(torch.equal(before[n], v) for n, v in model.state_dict().items())


def test_the_trusted_child_draws_from_the_seed_it_is_given():
    """A rejudge compares the outputs kept from a grading with the references of that grading's seed."""
    from ee449.grading.judging.reference import probe_seed, reference_models

    given = reference_models(INPUT_SHAPE, SEED)["cnn_3"]["outputs"]
    np.testing.assert_allclose(given, REFERENCES["cnn_3"]["outputs"], rtol=1e-6)
    own = reference_models(INPUT_SHAPE)["cnn_3"]["outputs"]  # this process's seed
    assert probe_seed() != SEED and np.abs(np.asarray(own) - np.asarray(given)).max() > 1e-3


@pytest.mark.parametrize(
    "failure",
    [
        "no output (your code left no result for it)",
        "the output your code produced for this check is malformed",
    ],
)
def test_a_probe_left_out_or_malformed_beside_the_homeworks_layers_still_asks_for_a_person(failure):
    """The ways round the verdict's label: no record, or one that is not data, while the layers pass."""
    outcomes = [
        Outcome("arch/cnn_3/layers", "cnn_3", True),
        Outcome("arch/cnn_3/computes", "cnn_3", False, failure),
        Outcome("arch/mlp_1/layers", "mlp_1", False, "layer sequence differs"),
        Outcome("arch/mlp_1/computes", "mlp_1", False, "could not construct mlp_1"),
    ]
    computes_followups(outcomes)
    codes = {o.id: [code for code, _ in o.diagnoses] for o in outcomes}
    assert codes["arch/cnn_3/computes"] == ["review_computation"]
    assert codes["arch/mlp_1/computes"] == []  # its layers already fail: nothing to compare them with
    computes_followups(outcomes)
    assert [code for code, _ in outcomes[1].diagnoses] == ["review_computation"]  # said once


def test_a_record_with_neither_outputs_nor_an_error_is_sent_to_review_not_called_malformed():
    passed, message, codes = _verdict("", REFERENCES["cnn_3"]["layers"])  # error '' is a str: raised
    assert not passed and codes == ["review_computation"]
    records = {"arch/cnn_3/layers": Record({"layers": REFERENCES["cnn_3"]["layers"], "error": ""})}
    context = Context(Manifest(), lambda: REFERENCES, records.get)
    passed, message, diagnoses = ARCH_VERDICTS["computes"]("cnn_3", Record({"how": "cnn_3()"}), context)
    assert not passed and [d.code for d in diagnoses] == ["review_computation"]
    assert "no outputs were recorded" in diagnoses[0].sentence
