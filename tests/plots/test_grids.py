"""The image grids: what each figure contains, the files they write, and bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # as on CI: no display

import numpy as np
import pytest
from matplotlib import pyplot as plt
from PIL import Image

from ee449.plots.grids import part2_figure, part2Plots, visualizeWeights, weights_figure
from tests.helpers.assertions import assert_close, assert_equal


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def shown_array(ax) -> np.ndarray:
    (image,) = ax.get_images()
    return np.asarray(image.get_array())


@pytest.mark.parametrize("shape", [(5, 8, 25, 25), (2, 3, 7, 9), (1, 1, 3, 3), (3, 1, 30, 12)])
def test_part2_figure_has_one_tile_per_image_and_kernel_in_order(shape):
    out = np.random.default_rng(0).standard_normal(shape)
    fig = part2_figure(out)
    axes = visible_axes(fig)
    assert_equal(len(axes), shape[0] * shape[1], "visible tiles")
    for index, ax in enumerate(axes):
        image, kernel = divmod(index, shape[1])
        assert_close(shown_array(ax), out[image, kernel], what=f"tile {index}")
        assert ax.get_title() == (f"kernel {kernel}" if image == 0 else ""), "one label per column, on top"
        assert not ax.axison


def test_part2_columns_are_labelled_with_their_kernels_names():
    names = ["vertical edge", "box blur", "sharpen"]
    axes = visible_axes(part2_figure(np.zeros((2, 3, 6, 6)), kernel_names=names))
    assert_equal([ax.get_title() for ax in axes], names + ["", "", ""], "titles")
    with pytest.raises(ValueError, match="2 names for 3 kernels"):
        part2_figure(np.zeros((2, 3, 6, 6)), kernel_names=names[:2])


def test_weight_figures_name_the_architecture_in_the_title():
    fig = weights_figure(np.zeros((4, 1, 3, 3)), "cnn_4")
    texts = [t.get_text() for t in fig.texts]
    assert any(t.startswith("cnn_4: first-layer weights") for t in texts), texts


def test_part2_figure_rows_are_images_and_columns_are_kernels():
    fig = part2_figure(np.zeros((4, 6, 10, 10)))
    boxes = [ax.get_position() for ax in visible_axes(fig)]
    lefts = sorted({round(b.x0, 6) for b in boxes})
    tops = sorted({round(b.y1, 6) for b in boxes}, reverse=True)
    assert_equal((len(tops), len(lefts)), (4, 6), "(rows, columns)")
    assert (
        round(boxes[1].y1, 6) == round(boxes[0].y1, 6) and boxes[1].x0 > boxes[0].x0
    )  # kernel 1 beside kernel 0
    assert boxes[6].y1 < boxes[0].y1  # image 1 below image 0


def test_part2_figure_scales_each_kernel_over_all_images():
    out = np.random.default_rng(1).standard_normal((3, 2, 5, 5))
    out[:, 1] *= 1000  # very different ranges per kernel
    axes = visible_axes(part2_figure(out))
    for index, ax in enumerate(axes):
        kernel = index % 2
        (image,) = ax.get_images()
        assert_close(
            image.get_clim(), (out[:, kernel].min(), out[:, kernel].max()), what=f"clim of tile {index}"
        )


def test_part2_figure_draws_at_most_nmax_tiles():
    out = np.random.default_rng(2).standard_normal((5, 8, 6, 6))
    axes = visible_axes(part2_figure(out, nmax=12))
    assert_equal(len(axes), 12, "tiles")
    assert_close(shown_array(axes[-1]), out[1, 3], what="the 12th tile is image 1, kernel 3")


@pytest.mark.parametrize("shape", [(5, 8, 25, 25), (2, 3, 7, 40)])
def test_part2Plots_png_has_the_figure_size_and_every_value_gets_a_pixel(tmp_path, shape):
    out = np.random.default_rng(3).standard_normal(shape)
    path = part2Plots(out, save_dir=tmp_path, filename="grid")
    assert_equal(path, tmp_path / "grid.png", "path")
    fig = part2_figure(out)
    exact = fig.get_size_inches() * fig.dpi
    # matplotlib rounds a fractional canvas size (3.11) or truncates it (3.10, the last for Python 3.10)
    sizes = {tuple(int(v) for v in np.round(exact)), tuple(int(v) for v in np.floor(exact))}
    with Image.open(path) as png:
        assert_equal(png.format, "PNG", "format")
        assert png.size in sizes, (
            f"PNG pixel size {png.size}, expected one of {sorted(sizes)} ({exact} at {fig.dpi} dpi)"
        )
    fig.canvas.draw()
    for ax in visible_axes(fig):
        box = ax.get_window_extent()
        assert box.width >= shape[3] - 0.5 and box.height >= shape[2] - 0.5  # no value shares a pixel
        assert_close(box.width / box.height, shape[3] / shape[2], rtol=0.02, atol=0, what="tile aspect")


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_part2Plots_writes_svg_and_pdf_on_request(tmp_path, fmt, magic):
    path = part2Plots(np.ones((1, 2, 4, 4)), save_dir=tmp_path, filename="grid", fmt=fmt)
    assert path.suffix == f".{fmt}" and path.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("filename", "magic"), [("w.svg", b"<?xml"), ("w.pdf", b"%PDF"), ("w.png", b"\x89PNG")]
)
def test_visualizeWeights_takes_the_format_from_the_filename_as_the_curve_helpers_do(
    tmp_path, filename, magic
):
    path = visualizeWeights(np.ones((4, 1, 3, 3)), tmp_path, filename)
    assert_equal(path.name, filename, "saved name")
    assert path.read_bytes().startswith(magic), f"{path} is not a real {path.suffix} file"


def test_plots_leave_no_pyplot_figures_open(tmp_path):
    before = plt.get_fignums()
    part2Plots(np.ones((2, 2, 5, 5)), save_dir=tmp_path, filename="a")
    visualizeWeights(np.ones((4, 1, 3, 3)), tmp_path, "b")
    assert_equal(plt.get_fignums(), before, "open pyplot figures")


def test_weights_figure_shows_mlp_units_as_square_images_in_a_near_square_grid():
    weights = np.random.default_rng(4).standard_normal((32, 1024))
    fig = weights_figure(weights)
    axes = visible_axes(fig)
    assert_equal(len(axes), 32, "visible tiles")
    assert_equal(len(fig.axes), 36, "cells of a 6x6 grid (4 hidden)")
    bound = np.abs(weights).max()
    for unit, ax in enumerate(axes):
        assert_close(shown_array(ax), weights[unit].reshape(32, 32), what=f"unit {unit}")
        (image,) = ax.get_images()
        assert_close(image.get_clim(), (-bound, bound), what="symmetric colour scale")


def test_weights_figure_reads_the_course_layout_d_by_units_as_the_transpose():
    weights = np.random.default_rng(7).standard_normal((32, 1024))
    torch_layout = [shown_array(ax) for ax in visible_axes(weights_figure(weights))]
    course_layout = [shown_array(ax) for ax in visible_axes(weights_figure(weights.T))]
    assert_equal(len(course_layout), 32, "tiles from (1024, 32)")
    for unit, (a, b) in enumerate(zip(torch_layout, course_layout)):
        assert_close(b, a, rtol=0, atol=0, what=f"unit {unit}")


@pytest.mark.parametrize(("count", "k", "cells"), [(16, 3, 16), (8, 7, 9), (1, 5, 1)])
def test_weights_figure_shows_cnn_filters_as_k_by_k_tiles(count, k, cells):
    weights = np.random.default_rng(5).standard_normal((count, 1, k, k))
    fig = weights_figure(weights)
    axes = visible_axes(fig)
    assert_equal((len(axes), len(fig.axes)), (count, cells), "(visible tiles, grid cells)")
    for index, ax in enumerate(axes):
        assert_close(shown_array(ax), weights[index, 0], what=f"filter {index}")


def test_visualizeWeights_accepts_json_lists_and_writes_a_png(tmp_path):
    weights = np.random.default_rng(6).standard_normal((4, 1, 5, 5))
    path = visualizeWeights(weights.tolist(), tmp_path / "figs", filename="cnn_4_weights")
    with Image.open(path) as png:
        assert png.format == "PNG" and path.name == "cnn_4_weights.png"


@pytest.mark.parametrize(
    ("shape", "tiles", "tile_shape"),
    [
        ((32, 3072), 32, (32, 32, 3)),
        ((3072, 32), 32, (32, 32, 3)),
        ((16, 3, 3, 3), 16, (3, 3, 3)),
        ((32, 784), 32, (28, 28)),
    ],
    ids=["rgb-mlp", "rgb-mlp-keras-layout", "rgb-cnn", "fashion-mlp"],
)
def test_weights_of_every_edition_draw_one_tile_per_unit(shape, tiles, tile_shape):
    weights = np.random.default_rng(7).standard_normal(shape)
    fig = weights_figure(weights, name="x")
    images = [ax.images[0].get_array() for ax in fig.axes if ax.get_visible() and ax.images]
    assert len(images) == tiles and {np.asarray(i).shape for i in images} == {tile_shape}
    if len(tile_shape) == 3 and shape[0] != 3072:  # RGB tile = 0.5 + w / (2 max|w|): recompute one pixel
        bound = np.abs(weights).max()
        unit = weights.reshape(shape[0], 3, -1)[0, :, 0] if weights.ndim == 2 else weights[0, :, 0, 0]
        np.testing.assert_allclose(np.asarray(images[0])[0, 0], 0.5 + unit / (2 * bound))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: part2_figure(np.zeros((5, 8, 25))), r"out must be 4-D .* got 3-D"),
        (lambda: part2_figure(np.zeros((0, 8, 25, 25))), r"out is empty"),
        (lambda: part2_figure(np.zeros((1, 1, 3, 3)), nmax=0), r"nmax must be a positive int"),
        (lambda: weights_figure(np.zeros((32, 32, 32))), r"weights must be 2-D .* or 4-D .* got 3-D"),
        (lambda: weights_figure(np.zeros((32, 1000))), r"D = s\*s .* got shape \(32, 1000\)"),
        (lambda: weights_figure(np.zeros((16, 2, 3, 3))), r"need 1 or 3 input channels"),
        (
            lambda: part2Plots(np.zeros((1, 1, 3, 3)), fmt="jpg"),
            r"unknown figure format .jpg.; valid: png, svg, pdf",
        ),
    ],
    ids=[
        "part2-3d",
        "part2-empty",
        "part2-nmax",
        "weights-3d",
        "weights-not-square",
        "weights-two-channels",
        "bad-fmt",
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.filterwarnings("error")
def test_constant_and_nonfinite_tiles_still_draw(tmp_path):
    out = np.zeros((2, 3, 4, 4))
    out[1, 1] = np.nan
    out[0, 1, 0, 0] = np.inf
    out[:, 2] = np.nan  # a kernel with no finite value at all
    with Image.open(part2Plots(out, save_dir=tmp_path, filename="odd")) as png:
        assert png.format == "PNG"  # the default format
