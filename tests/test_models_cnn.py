"""nnbook.models.cnn: the LeNet-style net's shapes and size, AlexNet's published counts, the layer table."""

import pytest
import torch

from nnbook.models.cnn import AsImage, alexnet, layer_table, lenet
from nnbook.scratch.conv import conv2d_params, output_size


def test_lenet_accepts_flat_and_image_digits():
    model = lenet()
    flat, img = torch.rand(5, 64), torch.rand(5, 1, 8, 8)
    assert model(flat).shape == (5, 10)
    torch.testing.assert_close(model.eval()(img), model(img.reshape(5, 64)))


def test_lenet_table_shapes_and_parameters():
    rows = layer_table(lenet((8, 16), 32), (1, 8, 8))
    shapes = [r["output"] for r in rows if r["type"] in ("Conv2d", "MaxPool2d", "Linear")]
    assert shapes == [(8, 8, 8), (8, 8, 8), (8, 4, 4), (16, 4, 4), (16, 2, 2), (32,), (10,)]
    expected = (
        conv2d_params(1, 8, 3) + conv2d_params(8, 8, 3) + conv2d_params(8, 16, 3) + (64 * 32 + 32) + (32 * 10 + 10)
    )
    assert sum(r["parameters"] for r in rows) == expected == sum(p.numel() for p in lenet((8, 16), 32).parameters())


def test_alexnet_paper_variant_has_the_published_shapes_and_count():
    with torch.device("meta"):
        model = alexnet("paper")
    rows = layer_table(model, (3, 227, 227))
    convs = [r for r in rows if r["type"] == "Conv2d"]
    assert [r["output"] for r in convs] == [(96, 55, 55), (256, 27, 27), (384, 13, 13), (384, 13, 13), (256, 13, 13)]
    assert [r["groups"] for r in convs] == [1, 2, 1, 2, 2]  # the two-GPU split
    assert output_size(227, 11, 4) == 55 and output_size(55, 3, 2) == 27  # overlapping 3x3/2 pooling
    assert sum(r["parameters"] for r in rows) == 60_965_224


def test_alexnet_torchvision_variant_count():
    with torch.device("meta"):
        model = alexnet("torchvision")
    assert sum(p.numel() for p in model.parameters()) == 61_100_840
    assert layer_table(model, (3, 224, 224))[-1]["output"] == (1000,)


def test_layer_table_leaves_a_real_model_untouched():
    model = lenet()
    before = [p.clone() for p in model.parameters()]
    layer_table(model, (1, 8, 8))
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: lenet((8,)), ValueError, "pair"),
        (lambda: lenet((8, 0)), ValueError, "positive integer"),
        (lambda: lenet(dropout=1.0), ValueError, "dropout"),
        (lambda: alexnet("resnet"), ValueError, "variant must be 'paper'"),
        (lambda: AsImage((1, 8, 8))(torch.zeros(2, 63)), ValueError, "64 values"),
        (lambda: layer_table(torch.nn.Linear(2, 2), (2,)), TypeError, "Sequential"),
    ],
)
def test_bad_input_gets_a_clear_error(make, error, match):
    with pytest.raises(error, match=match):
        make()
