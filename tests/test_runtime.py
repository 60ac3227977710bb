import numpy as np
import pytest
import torch

from nnbook.runtime import device, seed


def test_seed_makes_numpy_and_torch_repeatable():
    g1 = seed(123)
    a = (np.random.rand(3), torch.rand(3), g1.normal(size=3))
    g2 = seed(123)
    b = (np.random.rand(3), torch.rand(3), g2.normal(size=3))
    np.testing.assert_array_equal(a[0], b[0])
    assert torch.equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])


def test_different_seeds_differ():
    seed(1)
    a = torch.rand(5)
    seed(2)
    assert not torch.equal(a, torch.rand(5))


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "3", None, True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises((TypeError, ValueError), match="seed must be an integer"):
        seed(bad)


def test_device_is_cuda_exactly_when_available():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device().type == expected
    assert device("cpu").type == "cpu"


def test_device_env_override(monkeypatch):
    monkeypatch.setenv("NNBOOK_DEVICE", "cpu")
    assert device().type == "cpu"


@pytest.mark.parametrize("bad", ["gpu", "tpu", 3, "CUDA"])
def test_device_rejects_unknown_names(bad):
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda'"):
        device(bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="only meaningful without CUDA")
def test_device_cuda_without_cuda_says_so():
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        device("cuda")


def test_hypothesis_profile_has_no_deadline():
    from hypothesis import settings

    assert settings.default.deadline is None
