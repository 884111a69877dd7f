"""bmlib.rng: the xoshiro256** kernels against a pure-Python reference, and the seed convention."""

import numpy as np
import pytest
from numba import njit

from bmlib import rng

MASK = (1 << 64) - 1


def reference_xoshiro(state, n):
    """xoshiro256** in plain Python integers, straight from Blackman & Vigna's C code."""
    s = [int(x) for x in state]

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & MASK, 7) * 9) & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out, s


@njit(cache=True)
def _draw_uint64(states, stream, n):
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        out[i] = rng.next_uint64(states, stream)
    return out


@njit(cache=True)
def _draw_doubles(states, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = rng.next_double(states, 0)
    return out


@njit(cache=True)
def _draw_normals(states, n_pairs):
    out = np.empty(2 * n_pairs)
    for i in range(n_pairs):
        out[2 * i], out[2 * i + 1] = rng.next_normal_pair(states, 0)
    return out


def test_xoshiro_matches_reference_bit_for_bit():
    states = rng.stream_states(2024, 3)
    expected, final = reference_xoshiro(states[1], 2000)
    got = _draw_uint64(states, 1, 2000)
    assert [int(x) for x in got] == expected
    assert [int(x) for x in states[1]] == final  # the kernel advanced the state in place


def test_known_state_gives_known_first_outputs():
    # State (1, 2, 3, 4): first outputs computed by hand from the reference algorithm.
    states = np.array([[1, 2, 3, 4]], dtype=np.uint64)
    assert [int(x) for x in _draw_uint64(states, 0, 3)] == reference_xoshiro([1, 2, 3, 4], 3)[0]
    assert int(reference_xoshiro([1, 2, 3, 4], 1)[0][0]) == 11520  # rotl(2*5, 7) * 9 = 1280 * 9


def test_same_seed_same_states_and_prefix_property():
    a = rng.stream_states(7, 5)
    b = rng.stream_states(7, 5)
    assert a.dtype == np.uint64 and a.shape == (5, 4)
    np.testing.assert_array_equal(a, b)
    # the first streams do not depend on how many streams were asked for
    np.testing.assert_array_equal(rng.stream_states(7, 2), a[:2])
    assert not np.array_equal(rng.stream_states(8, 5), a)


def test_generator_seed_is_reproducible_and_advances():
    a = rng.stream_states(np.random.default_rng(3), 2)
    b = rng.stream_states(np.random.default_rng(3), 2)
    np.testing.assert_array_equal(a, b)
    generator = np.random.default_rng(3)
    assert not np.array_equal(rng.stream_states(generator, 2), rng.stream_states(generator, 2))


def test_as_generator():
    generator = np.random.default_rng(1)
    assert rng.as_generator(generator) is generator
    assert rng.as_generator(5).random() == rng.as_generator(5).random()


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_bad_seed_is_refused(seed):
    with pytest.raises((TypeError, ValueError), match="seed"):
        rng.stream_states(seed, 1)


def test_bad_stream_count_is_refused():
    with pytest.raises(ValueError, match="n_streams"):
        rng.stream_states(1, -1)


def test_uniform_doubles_moments():
    # n = 10^6 uniforms on [0, 1): mean 1/2 with standard error sqrt(1/12 / n) = 2.9e-4,
    # variance 1/12 with standard error sqrt(1/180 / n) = 7.5e-5 (fourth central moment 1/80).
    n = 1_000_000
    u = _draw_doubles(rng.stream_states(11, 1), n)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(u.var() - 1 / 12) < 5 * np.sqrt((1 / 80 - 1 / 144) / n)


def test_normal_pairs_moments_and_independence():
    # 10^6 normals: mean 0 (se 1e-3), variance 1 (se sqrt(2/n)), kurtosis 3 (se sqrt(96/n)),
    # and the two members of a pair uncorrelated (se 1/sqrt(n/2)).
    n_pairs = 500_000
    z = _draw_normals(rng.stream_states(12, 1), n_pairs)
    n = z.size
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var() - 1) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(z**4) - 3) < 5 * np.sqrt(96 / n)
    pairs = z.reshape(n_pairs, 2)
    assert abs(np.mean(pairs[:, 0] * pairs[:, 1])) < 5 / np.sqrt(n_pairs)


@pytest.mark.parametrize("stream", [3, -1, -(10**6), 10**6, 2**40])
def test_a_draw_from_python_refuses_a_stream_outside_the_states(stream):
    # Issue 17: from Python, a stream of 2^40, 10^6 or -10^6 crashed the interpreter, and a
    # stream equal to n_streams read and wrote one row past the end.
    states = rng.stream_states(1, 3)
    before = states.copy()
    for draw in (rng.next_uint64, rng.next_double, rng.next_normal_pair):
        with pytest.raises(ValueError, match=r"stream must be in 0\.\.2"):
            draw(states, stream)
    np.testing.assert_array_equal(states, before)


def test_a_draw_from_python_checks_its_states_and_is_the_kernel_draw():
    for bad, error, match in [
        (np.zeros((3, 4)), TypeError, "states must be a uint64 array"),
        (np.zeros((3, 3), dtype=np.uint64), TypeError, "states must be a uint64 array"),
        ([[1, 2, 3, 4]], TypeError, "states must be a uint64 array"),
    ]:
        with pytest.raises(error, match=match):
            rng.next_double(bad, 0)
    frozen = rng.stream_states(1, 1)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="states must be writable"):
        rng.next_uint64(frozen, 0)
    with pytest.raises(TypeError, match="stream must be an integer"):
        rng.next_double(rng.stream_states(1, 1), 0.0)
    # checked from Python, the same numbers as inside a kernel
    a, b = rng.stream_states(7, 2), rng.stream_states(7, 2)
    assert [rng.next_uint64(a, 1) for _ in range(5)] == list(_draw_uint64(b, 1, 5))
    assert [rng.next_double(a, 0) for _ in range(5)] == list(_draw_doubles(b, 5))
    np.testing.assert_array_equal(a, b)


def test_a_stream_count_beyond_memory_is_refused_before_allocating():
    with pytest.raises(ValueError, match="n_streams must be at most"):
        rng.stream_states(1, 2**40)  # 35 TB of state; was a MemoryError from NumPy
