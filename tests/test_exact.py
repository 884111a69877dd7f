"""bmlib.exact: enumeration of all binary states."""

import itertools

import numpy as np
import pytest

from bmlib import exact


@pytest.mark.parametrize("n", [1, 2, 5, 10])
def test_binary_states_are_all_states_once_in_gray_code_order(n):
    states = exact.binary_states(n)
    assert states.shape == (2**n, n) and states.dtype == np.uint8
    assert {tuple(s) for s in states} == set(itertools.product([0, 1], repeat=n))
    assert np.all(np.abs(np.diff(states.astype(int), axis=0)).sum(axis=1) == 1)
    assert not states[0].any()


@pytest.mark.parametrize("n", [0, 27])
def test_binary_states_refuses_sizes_it_cannot_enumerate(n):
    with pytest.raises(ValueError, match="n must be between 1 and 26"):
        exact.binary_states(n)
