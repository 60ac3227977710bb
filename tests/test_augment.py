"""nnbook.augment: rotations, shifts and noise for small grey images, with tensor ops only."""

import numpy as np
import pytest
import torch

from nnbook.augment import add_noise, augment_digits, random_affine, random_shift


def test_no_rotation_no_shift_is_the_identity():
    x = torch.rand(6, 64)
    torch.testing.assert_close(random_affine(x, 0.0, 0.0), x)


def test_shapes_are_kept():
    for shape in [(3, 64), (3, 8, 8), (3, 1, 8, 8), (2, 5, 5)]:
        x = torch.rand(shape)
        assert augment_digits(x, generator=torch.Generator().manual_seed(0)).shape == shape


def test_a_whole_pixel_shift_moves_the_image():
    # with max_shift = 1 and a generator whose draws we reproduce, one image moves by whole pixels at the extremes
    x = torch.zeros(1, 1, 8, 8)
    x[0, 0, 3, 3] = 1.0
    theta = torch.tensor([[[1.0, 0.0, 2 / 8], [0.0, 1.0, 0.0]]])  # one pixel in normalised units
    grid = torch.nn.functional.affine_grid(theta, [1, 1, 8, 8], align_corners=False)
    moved = torch.nn.functional.grid_sample(x, grid, align_corners=False)
    assert moved[0, 0, 3, 2] == pytest.approx(1.0)  # sampling one pixel to the right moves the content left


def test_rotation_by_90_degrees_turns_a_bar():
    x = torch.zeros(1, 1, 8, 8)
    x[0, 0, :, 3:5] = 1.0  # a vertical bar through the centre
    gen = torch.Generator().manual_seed(0)
    # max_degrees=90 draws an angle in [-90, 90]; find a seed that gives nearly +-90 by brute force
    for s in range(200):
        gen.manual_seed(s)
        u = torch.rand(1, 3, generator=gen) * 2 - 1
        if abs(abs(u[0, 0].item()) - 1) < 0.02 and abs(u[0, 1].item()) < 0.5 and abs(u[0, 2].item()) < 0.5:
            gen.manual_seed(s)
            out = random_affine(x, 90.0, 0.0, generator=gen)[0, 0]
            assert out[3:5, :].sum() > 3 * out[:, 0:2].sum()  # now horizontal: mass in the middle rows
            return
    pytest.skip("no suitable seed found")


def test_noise_has_the_requested_spread_and_p_zero_changes_nothing():
    x = torch.zeros(2000, 64)
    noisy = add_noise(x, 0.1, generator=torch.Generator().manual_seed(0))
    assert abs(noisy.std().item() - 0.1) < 0.002
    torch.testing.assert_close(augment_digits(x + 0.3, p=0.0, generator=torch.Generator().manual_seed(0)), x + 0.3)


def test_p_augments_about_that_share():
    x = torch.rand(4000, 64)
    out = augment_digits(x, p=0.25, generator=torch.Generator().manual_seed(1))
    changed = (out != x).any(dim=1).float().mean().item()
    assert abs(changed - 0.25) < 0.03


def test_same_generator_seed_same_result():
    x = torch.rand(5, 64)
    a = augment_digits(x, generator=torch.Generator().manual_seed(3))
    b = augment_digits(x, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a, b)


def test_numpy_input_is_accepted():
    out = augment_digits(np.random.default_rng(0).random((4, 64)), generator=torch.Generator().manual_seed(0))
    assert out.dtype == torch.float32 and out.shape == (4, 64)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: random_affine(torch.zeros(2, 63)), "square number of pixels"),
        (lambda: random_affine(torch.zeros(2, 3, 8, 8)), "shape"),
        (lambda: random_affine(torch.zeros(2, 64), max_degrees=200), "max_degrees"),
        (lambda: random_affine(torch.zeros(2, 64), max_shift=-1), "max_shift"),
        (lambda: add_noise(torch.zeros(2, 64), std=-0.1), "std"),
        (lambda: augment_digits(torch.zeros(2, 64), p=1.5), "probability"),
    ],
)
def test_bad_input_gets_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_random_shift_moves_pixels_and_keeps_shape():
    img = np.zeros((1, 8, 8))
    img[0, 3, 4] = 1.0
    out = random_shift(np.repeat(img, 500, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert out.shape == (500, 8, 8)
    pos = {tuple(np.argwhere(o.numpy())[0]) for o in out}
    assert pos == {(3 + dy, 4 + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)} - {(3, 4)}  # all eight moves, never none
    flat = random_shift(img.reshape(1, 64), 2, generator=torch.Generator().manual_seed(1))
    assert flat.shape == (1, 64) and flat.sum() == 1.0
    edge = np.zeros((1, 8, 8))
    edge[0, 0, :] = 1.0  # a row on the border can fall off the image
    outs = random_shift(np.repeat(edge, 200, axis=0), 1, generator=torch.Generator().manual_seed(0))
    assert {float(o.sum()) for o in outs} == {0.0, 7.0, 8.0}  # up, sideways, down


def test_random_shift_p_and_zero_and_errors():
    X = np.random.default_rng(0).random((300, 64))
    np.testing.assert_array_equal(random_shift(X, 0).numpy(), X.astype(np.float32))
    np.testing.assert_array_equal(random_shift(X, 1, p=0.0).numpy(), X.astype(np.float32))
    moved = (
        (random_shift(X, 1, p=0.5, generator=torch.Generator().manual_seed(0)).numpy() != X.astype(np.float32))
        .any(1)
        .mean()
    )
    assert 0.45 < moved < 0.55  # p is the fraction of images moved
    every = (random_shift(X, 2, generator=torch.Generator().manual_seed(0)).numpy() != X.astype(np.float32)).any(1)
    assert every.all()  # p = 1: no image stays in place
    with pytest.raises(ValueError, match="square number of pixels"):
        random_shift(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"max_shift must be an integer in \[0, 7\]"):
        random_shift(X, 8)
    with pytest.raises(ValueError, match="probability"):
        random_shift(X, 1, p=1.5)


def test_random_shift_takes_every_image_shape_of_the_module():
    # the same moves whatever the layout: flat, (n, h, w) and (n, 1, h, w), and other sizes than 8x8
    X = torch.rand(50, 5, 5)
    moved = [
        random_shift(X.reshape(shape), 2, generator=torch.Generator().manual_seed(4)).reshape(50, 5, 5)
        for shape in [(50, 25), (50, 5, 5), (50, 1, 5, 5)]
    ]
    torch.testing.assert_close(moved[0], moved[1])
    torch.testing.assert_close(moved[0], moved[2])
    assert random_shift(X, 2).shape == (50, 5, 5)
    with pytest.raises(ValueError, match=r"\[0, 4\]"):
        random_shift(X, 5)
