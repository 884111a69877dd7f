"""Evaluating RBMs: exact log Z against brute force, AIS against exact log Z, parallel tempering."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
from numba import types

from bmlib import _simd, datasets, exact, rbm, rng
from bmlib.rbm import _ais, _log_partition, tempering


def _random_rbm(n_visible, n_hidden, scale=1.0, seed=0):
    g = np.random.default_rng(seed)
    return (
        g.normal(0.0, scale, (n_visible, n_hidden)),
        g.normal(0.0, scale, n_visible),
        g.normal(0.0, scale, n_hidden),
    )


def _brute_force_log_z(W, b, c):
    """log sum over every (v, h) of exp(-E(v, h)), straight from the energy (both layers enumerated)."""
    V = np.array(list(itertools.product([0.0, 1.0], repeat=len(b))))
    H = np.array(list(itertools.product([0.0, 1.0], repeat=len(c))))
    log_weights = V @ b[:, None] + (H @ c)[None, :] + V @ W @ H.T
    m = log_weights.max()
    return m + np.log(np.exp(log_weights - m).sum())


@pytest.fixture(scope="module")
def digits_rbm():
    """A 64 x 20 RBM trained (PCD-1, 20 epochs) on the binarised digits, with its exact log Z."""
    X, _ = datasets.digits(binarize=0.5)
    model = rbm.RBM(20, learning_rate=0.05, n_epochs=20, sampler="pcd", random_state=0, monitor=False).fit(X)
    params = (model.W_, model.visible_bias_, model.hidden_bias_)
    return X, params, rbm.log_partition(*params)


# ----------------------------------------------------------------------------------------------
# exact log Z
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(10, 8), (8, 10)])
def test_exact_log_z_equals_brute_force_over_both_layers(shape):
    W, b, c = _random_rbm(*shape, scale=1.0, seed=1)
    expected = _brute_force_log_z(W, b, c)
    assert abs(rbm.log_partition(W, b, c, method="exact") - expected) < 1e-9
    assert abs(rbm.log_partition(W, b, c) - expected) < 1e-9
    # swapping the layers leaves Z unchanged
    assert abs(rbm.log_partition(W.T.copy(), c, b) - expected) < 1e-9


def test_exact_log_z_with_large_weights_and_chunk_boundaries():
    # weights of scale 5 make terms span hundreds of nats (overflow of a naive sum); 2^3 states
    # are fewer than the kernel's chunks, so some chunks are empty-free edge cases
    for shape, scale in [((12, 9), 5.0), ((5, 3), 1.0), ((1, 1), 1.0)]:
        W, b, c = _random_rbm(*shape, scale=scale, seed=2)
        assert abs(rbm.log_partition(W, b, c) - _brute_force_log_z(W, b, c)) < 1e-9 * max(1.0, abs(b).sum())


@pytest.mark.parametrize("shape, scale", [((40, 16), 1.0), ((17, 30), 0.5), ((24, 15), 60.0)])
def test_exact_log_z_methods_agree_beyond_the_serial_walk(shape, scale):
    # above 2^14 states log_partition uses split tables (or, for fields beyond 600 nats as with
    # scale 60, the chunked Gray-code walk); both must equal one serial walk over every state
    W, b, c = _random_rbm(*shape, scale=scale, seed=9)
    if shape[1] <= shape[0]:
        args = (np.ascontiguousarray(W.T), c, b)
    else:
        args = (W, b, c)
    m, total = _log_partition._walk_states(*args, 0, 2 ** min(shape))
    expected = m + np.log(total)
    assert abs(rbm.log_partition(W, b, c) - expected) < 1e-9 * max(1.0, abs(expected))
    assert np.isnan(_log_partition._log_partition_split(*args)) == (scale > 10)


def test_exact_log_likelihood_is_minus_free_energy_minus_log_z():
    W, b, c = _random_rbm(10, 8, seed=3)
    X = datasets.bars_and_stripes(3)
    X = np.concatenate([X, X[:, :1]], axis=1)  # 10 columns
    log_z = _brute_force_log_z(W, b, c)
    expected = float(np.mean(-rbm.free_energy(X, W, b, c)) - log_z)
    assert rbm.log_likelihood(X, W, b, c) == pytest.approx(expected, abs=1e-9)
    assert rbm.log_likelihood(X, W, b, c, method="exact") == pytest.approx(expected, abs=1e-9)
    assert rbm.log_likelihood(X, W, b, c, log_z=log_z) == pytest.approx(expected, abs=1e-12)


def test_a_uniform_model_has_the_counting_log_z():
    # W = 0, b = 0, c = 0: Z = 2^(n_visible + n_hidden)
    assert rbm.log_partition(np.zeros((64, 20)), np.zeros(64), np.zeros(20)) == pytest.approx(84 * np.log(2))


# ----------------------------------------------------------------------------------------------
# annealed importance sampling
# ----------------------------------------------------------------------------------------------


def test_ais_schedule():
    betas = rbm.ais_schedule(10_000)
    assert betas.shape == (10_000,) and betas[0] == 0.0 and betas[-1] == 1.0
    assert np.all(np.diff(betas) > 0)
    assert np.sum(betas >= 0.9) == 5000  # densest near beta = 1


def test_ais_matches_exact_log_z_for_a_random_16_x_12_rbm():
    W, b, c = _random_rbm(16, 12, scale=1.0, seed=4)
    exact = rbm.log_partition(W, b, c)
    estimate, error = rbm.log_partition(W, b, c, method="ais", n_runs=100, seed=0)
    # Acceptance: within 0.1 nat. The error bar is the delta-method standard error over 100 runs
    # (0.008 nat here); 4 sigma allows for the estimate's own noise. Measured: +0.0066 nat (0.8 sigma).
    assert abs(estimate - exact) < 0.1
    assert abs(estimate - exact) < 4 * error
    assert 0 < error < 0.05


def test_ais_matches_exact_log_z_for_a_trained_64_x_20_digits_rbm(digits_rbm):
    X, params, exact = digits_rbm
    estimate, error = rbm.log_partition(*params, method="ais", X=X, n_runs=100, seed=0)
    # within 0.1 nat (acceptance) and 4 of its own standard errors (0.0079 nat here);
    # measured: -0.0035 nat (-0.4 sigma)
    assert abs(estimate - exact) < 0.1
    assert abs(estimate - exact) < 4 * error
    # the log-likelihood built on it
    value, ll_error = rbm.log_likelihood(X, *params, method="ais", n_runs=100, seed=0)
    assert ll_error == error
    assert abs(value - rbm.log_likelihood(X, *params)) < 4 * error


def test_ais_with_few_temperatures_has_a_larger_error_bar(digits_rbm):
    X, params, exact = digits_rbm
    short = rbm.log_partition(*params, method="ais", X=X, n_runs=50, betas=np.linspace(0, 1, 50), seed=1)
    long = rbm.log_partition(*params, method="ais", X=X, n_runs=50, betas=rbm.ais_schedule(2000), seed=1)
    assert short[1] > long[1]
    assert abs(long[0] - exact) < 4 * long[1] + 0.01


def test_ais_from_the_model_itself_has_equal_weights():
    # W = 0 and b_A = b: every intermediate distribution has the same v-marginal, so each run's
    # log weight is sum_j [softplus(c_j) - log 2] exactly, and log Z_A + it = log Z
    b = np.linspace(-1, 1, 7)
    c = np.linspace(-2, 2, 5)
    W = np.zeros((7, 5))
    log_weights, log_z_base = rbm.ais_log_weights(W, b, c, n_runs=5, base_bias=b, seed=0)
    np.testing.assert_allclose(log_weights, np.sum(np.log1p(np.exp(c)) - np.log(2)), rtol=1e-9)
    assert log_z_base + log_weights[0] == pytest.approx(rbm.log_partition(W, b, c), abs=1e-9)


def test_ais_is_reproducible_and_independent_of_the_thread_count():
    W, b, c = _random_rbm(16, 12, seed=5)
    betas = rbm.ais_schedule(500)
    here = rbm.log_partition(W, b, c, method="ais", n_runs=20, betas=betas, seed=7)
    assert here == rbm.log_partition(W, b, c, method="ais", n_runs=20, betas=betas, seed=7)
    assert here != rbm.log_partition(W, b, c, method="ais", n_runs=20, betas=betas, seed=8)
    code = (
        "import numpy as np\n"
        "from bmlib import rbm\n"
        "g = np.random.default_rng(5)\n"
        "W, b, c = g.normal(0, 1, (16, 12)), g.normal(0, 1, 16), g.normal(0, 1, 12)\n"
        "betas = rbm.ais_schedule(500)\n"
        "print(repr(rbm.log_partition(W, b, c, method='ais', n_runs=20, betas=betas, seed=7)))\n"
    )
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert other.stdout.strip() == repr(here)


def test_exact_log_z_has_the_same_bits_on_any_thread_count():
    # 64 x 16: 2^16 hidden states, the split-table kernel; x 100, fields beyond 600 send the
    # same shape to the parallel Gray-code chunks instead. Each in fresh processes with 1 and 2
    # Numba threads (before the fix: 86.76012599801163 and 86.7601259980116).
    code = (
        "import numpy as np\n"
        "from bmlib import rbm\n"
        "g = np.random.default_rng(3)\n"
        "W, b, c = g.normal(0, 0.5, (64, 16)), g.normal(0, 0.5, 64), g.normal(0, 0.5, 16)\n"
        "print(repr(rbm.log_partition(W, b, c)), repr(rbm.log_partition(100 * W, 100 * b, 100 * c)))\n"
    )
    results = {
        threads: subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, NUMBA_NUM_THREADS=str(threads)),
        ).stdout.split()
        for threads in (1, 2)
    }
    assert results[1] == results[2], results
    # and both paths are right: against a serial walk over all 2^16 hidden states
    g = np.random.default_rng(3)
    W, b, c = g.normal(0, 0.5, (64, 16)), g.normal(0, 0.5, 64), g.normal(0, 0.5, 16)
    for scale, value in zip((1, 100), results[1], strict=True):
        hidden = np.array(list(itertools.product([0.0, 1.0], repeat=16)))
        minus_free = hidden @ (scale * c) + np.logaddexp(0.0, scale * (hidden @ W.T + b)).sum(axis=1)
        m = minus_free.max()
        assert float(value) == pytest.approx(m + np.log(np.exp(minus_free - m).sum()), rel=1e-12)


def test_ais_log_weights_and_base_rate():
    X = datasets.bars_and_stripes(3)
    base = rbm.base_rate_bias(X)
    p = X.mean(axis=0)
    np.testing.assert_allclose(base, np.log(p / (1 - p)))
    W, b, c = _random_rbm(9, 4, seed=6)
    log_weights, log_z_base = rbm.ais_log_weights(W, b, c, n_runs=8, base_bias=base, seed=0)
    assert log_weights.shape == (8,)
    assert log_z_base == pytest.approx(4 * np.log(2) + np.sum(np.log1p(np.exp(base))))


def test_bad_input_to_evaluation():
    W, b, c = _random_rbm(6, 4)
    with pytest.raises(ValueError, match="start at 0 and end at 1"):
        rbm.log_partition(W, b, c, method="ais", betas=[0.1, 0.5, 1.0])
    with pytest.raises(ValueError, match="start at 0 and end at 1"):
        rbm.log_partition(W, b, c, method="ais", betas=[0.0, 0.5, 0.9])
    with pytest.raises(ValueError, match="betas must be strictly increasing"):
        rbm.log_partition(W, b, c, method="ais", betas=[0.0, 0.6, 0.5, 1.0])
    with pytest.raises(ValueError, match="betas must be a 1-D schedule"):
        rbm.log_partition(W, b, c, method="ais", betas=[[0.0, 1.0]])
    with pytest.raises(ValueError, match="n_runs must be >= 1"):
        rbm.log_partition(W, b, c, method="ais", n_runs=0)
    with pytest.raises(TypeError, match="n_runs must be an integer"):
        rbm.log_partition(W, b, c, method="ais", n_runs=2.5)
    with pytest.raises(ValueError, match=r"EXACT_LIMIT = 20: use method='ais'"):
        rbm.log_partition(np.zeros((64, 21)), np.zeros(64), np.zeros(21))
    with pytest.raises(ValueError, match="method must be 'exact' or 'ais'"):
        rbm.log_partition(W, b, c, method="brute")
    with pytest.raises(ValueError, match="method must be 'exact' or 'ais'"):
        rbm.log_likelihood(np.zeros((2, 6)), W, b, c, method="brute")
    with pytest.raises(ValueError, match="X has 5 columns"):
        rbm.log_partition(W, b, c, method="ais", X=np.zeros((3, 5)))
    with pytest.raises(ValueError, match="base_bias must have shape"):
        rbm.ais_log_weights(W, b, c, base_bias=np.zeros(5))
    with pytest.raises(ValueError, match="n_betas must be >= 10"):
        rbm.ais_schedule(5)
    with pytest.raises(TypeError, match="log_z must be a single number"):
        rbm.log_likelihood(np.zeros((2, 6)), W, b, c, log_z=[1.0, 2.0])
    with pytest.raises(ValueError, match="method must be 'exact' or 'ais'"):
        rbm.log_partition(W, b, c, method=np.array(["exact", "ais"]))


def test_huge_counts_in_evaluation_are_refused_by_name():
    # Issue 17: 2**70 runs or betas gave NumPy's "Maximum allowed dimension exceeded".
    W, b, c = _random_rbm(6, 4)
    with pytest.raises(ValueError, match="n_runs must be at most 10_000_000, got 1_180_591"):
        rbm.log_partition(W, b, c, method="ais", n_runs=2**70)
    with pytest.raises(ValueError, match="n_runs must be at most 10_000_000"):
        rbm.ais_log_weights(W, b, c, n_runs=10**7 + 1, betas=[0.0, 1.0])
    with pytest.raises(ValueError, match="n_betas must be at most 100_000_000"):
        rbm.ais_schedule(2**70)
    with pytest.raises(ValueError, match="n_betas must be at most 100_000_000"):
        rbm.ais_schedule(10**8 + 1)


def test_numbers_beyond_the_float_range_of_evaluation_are_refused_by_name():
    # Issue 17: log_z near the largest float turned a log-likelihood into inf; base-rate biases
    # of 1e308 gave -inf log weights with a RuntimeWarning.
    W, b, c = _random_rbm(6, 4)
    with pytest.raises(ValueError, match="log_z must be between -1e300 and 1e300"):
        rbm.log_likelihood(np.ones((1, 6)), W, np.full(6, 1e299), c, log_z=-1.79e308)
    with pytest.raises(ValueError, match="base_bias is too large"):
        rbm.ais_log_weights(W, b, c, base_bias=np.full(6, 1e308))


def _read_only(numba_type):
    """Whether a compiled signature's argument type is, or holds, a read-only array."""
    if isinstance(numba_type, types.Array):
        return not numba_type.mutable
    return isinstance(numba_type, types.BaseTuple) and any(_read_only(t) for t in numba_type.types)


def test_read_only_arrays_compile_no_second_specialisation_of_log_z_kernels():
    # Issue 17: log_partition(method="ais") with a read-only visible_bias compiled for over 20 s,
    # ais_log_weights for 13 s: Numba compiles another specialisation for read-only arrays.
    W, b, c = _random_rbm(6, 4)
    X = datasets.bars_and_stripes(3)[:, :6]
    betas = np.linspace(0.0, 1.0, 5)
    calls = [
        lambda W, b, X, betas: rbm.log_partition(W, b, c),
        lambda W, b, X, betas: rbm.log_partition(W, b, c, method="ais", X=X, n_runs=4, betas=betas, seed=0),
        lambda W, b, X, betas: rbm.ais_log_weights(W, b, c, n_runs=4, betas=betas, base_bias=b),
    ]
    kernels = [_ais.ais_runs, _ais._fill_group_table, _log_partition._walk_states]
    for call in calls:
        call(W, b, X, betas)
    compiled = [len(kernel.signatures) for kernel in kernels]
    frozen = [np.array(a) for a in (W, b, X, betas)]
    for array in frozen:
        array.setflags(write=False)
    for call in calls:
        call(*frozen)
        call(np.broadcast_to(W[0], W.shape), np.broadcast_to(b[:1], b.shape), X, betas)
    assert [len(kernel.signatures) for kernel in kernels] == compiled
    assert not any(_read_only(t) for kernel in kernels for signature in kernel.signatures for t in signature)
    # ais_run_reference advances the caller's streams in place: read-only ones are refused by name
    with pytest.raises(ValueError, match="streams must be writable"):
        rbm.ais_run_reference(W, b, c, betas, b, np.broadcast_to(rng.stream_states(0, 4), (4, 4)))


# ----------------------------------------------------------------------------------------------
# parallel tempering
# ----------------------------------------------------------------------------------------------


def _exact_visible_distribution(W, b, c):
    """p(v) for every v, in the order of itertools.product (the first unit is the highest bit)."""
    V = np.array(list(itertools.product([0.0, 1.0], repeat=len(b))))
    log_p = -rbm.free_energy(V, W, b, c)
    return np.exp(log_p - log_p.max()) / np.exp(log_p - log_p.max()).sum()


def test_tempered_chains_sample_the_model_at_beta_one():
    W, b, c = _random_rbm(4, 3, scale=1.5, seed=8)
    n_temperatures, n_chains = 4, 4000
    betas = np.linspace(1.0, 0.0, n_temperatures)
    V = np.zeros((n_temperatures, n_chains, 4))
    H = np.zeros((n_temperatures, n_chains, 3))
    states = rng.stream_states(0, n_chains)
    swaps = np.zeros(n_temperatures - 1, dtype=np.int64)
    WT = np.ascontiguousarray(W.T)
    for step in range(50):
        tempering._tempered_chains((V, H, states), (W, b, c), WT, betas, 1, step % 2, swaps)
    p = _exact_visible_distribution(W, b, c)
    codes = V[0] @ (2 ** np.arange(4))[::-1]
    frequencies = np.bincount(codes.astype(int), minlength=16) / n_chains
    # 4000 independent chains: each frequency has standard error sqrt(p (1 - p) / 4000) <= 0.008;
    # 5 sigma per state
    error = np.sqrt(p * (1 - p) / n_chains)
    assert np.all(np.abs(frequencies - p) < 5 * error + 1e-3)
    assert np.all(swaps > 0)


def test_parallel_tempering_learns_bars_and_stripes_near_the_optimum():
    # the 14 distinct 3 x 3 bars-and-stripes patterns: the best average log-likelihood is -ln 14.
    # Ten copies per batch give 140 persistent chains (each with 8 replicas).
    X = datasets.bars_and_stripes(3)
    settings = {
        "learning_rate": 0.1,
        "batch_size": 140,
        "n_epochs": 4000,
        "random_state": 0,
        "monitor": False,
    }
    model = rbm.RBM(16, sampler="pt", n_temperatures=8, **settings).fit(np.tile(X, (10, 1)))
    gap = model.log_likelihood(X) + np.log(14)
    # acceptance: within 0.25 nat per pattern of the optimum (measured: 0.126)
    assert -0.25 < gap < 0
    assert model.betas_[0] == 1.0 and model.betas_[-1] == 0.0
    assert np.all((model.swap_rates_ > 0) & (model.swap_rates_ <= 1))


def test_parallel_tempering_is_reproducible_and_supports_partial_fit():
    X = np.tile(datasets.bars_and_stripes(3), (2, 1))
    first = rbm.RBM(6, sampler="pt", n_temperatures=3, batch_size=7, n_epochs=5, random_state=3).fit(X)
    second = rbm.RBM(6, sampler="pt", n_temperatures=3, batch_size=7, n_epochs=5, random_state=3).fit(X)
    np.testing.assert_array_equal(first.W_, second.W_)
    more = (
        rbm.RBM(6, sampler="pt", n_temperatures=3, batch_size=7, n_epochs=4, random_state=3)
        .fit(X)
        .partial_fit(X)
    )
    np.testing.assert_array_equal(more.W_, first.W_)
    # the other samplers keep no replicas
    pcd = rbm.RBM(6, sampler="pcd", batch_size=7, n_epochs=3, random_state=3).fit(X)
    assert not hasattr(pcd, "betas_")
    with pytest.raises(ValueError, match="cannot change between partial_fit"):
        first.set_params(n_temperatures=4).partial_fit(X)


@pytest.mark.parametrize(
    "settings, error, message",
    [
        ({"sampler": "gibbs"}, ValueError, "sampler must be 'cd', 'pcd' or 'pt'"),
        ({"sampler": "pt", "n_temperatures": 1}, ValueError, "n_temperatures must be >= 2"),
        ({"sampler": "pt", "n_temperatures": 2.0}, TypeError, "n_temperatures must be an integer"),
    ],
)
def test_bad_sampler_settings(settings, error, message):
    with pytest.raises(error, match=message):
        rbm.RBM(4, **settings).fit(datasets.bars_and_stripes(3))


def test_exp_nonpositive_is_within_one_ulp_of_numpy():
    # bmlib._simd.exp_nonpositive: the vectorizable exp of the AIS and training kernels. Documented
    # bound: within 1 ulp of the correctly rounded exp on [-708, 0] (np.exp is itself within 1 ulp
    # of it, so allow 2 against np.exp); 0 below -708, where exp(x) would be subnormal.
    from numba import njit

    @njit(error_model="numpy")
    def exp_all(x, out):
        for k in range(x.shape[0]):  # the vectorized loop the kernels use
            out[k] = _simd.exp_nonpositive(x[k])

    x = -np.concatenate(
        [np.linspace(0.0, 708.0, 1_000_001), np.geomspace(1e-300, 1.0, 20_001), [0.5 * np.log(2), 707.9999]]
    )
    out = np.empty_like(x)
    exp_all(x, out)
    expected = np.exp(x)
    assert np.max(np.abs(out - expected) / np.spacing(expected)) <= 2.0
    assert np.max(np.abs(out - expected) / expected) < 4.5e-16
    assert out[x == 0.0][0] == 1.0  # exp(0) is exactly 1
    tail = np.array([-708.5, -745.0, -1e300, -np.inf])
    tail_out = np.empty(4)
    exp_all(tail, tail_out)
    np.testing.assert_array_equal(tail_out, 0.0)
    # a scalar call (not in a vectorized loop) gives the same bits
    single = np.empty(1)
    for value in x[::99_991]:
        exp_all(np.array([value]), single)
        assert single[0] == out[np.flatnonzero(x == value)[0]]


def test_the_four_lane_uniforms_of_ais_are_next_double_of_four_streams():
    # _simd.uniform_lanes (AIS): four xoshiro256** streams stepped together in vectors; lane l must
    # give stream l's rng.next_double numbers bit for bit, and leave the streams advanced.
    from numba import njit

    @njit
    def draw(lanes, u, n_draws):
        _simd.uniform_lanes(lanes, u, n_draws)

    states = rng.stream_states(3, 4)
    lanes = np.ascontiguousarray(states.T)
    u = np.empty(4 * 50)
    draw(lanes, u, 50)
    expected = np.array([[rng.next_double(states, lane) for _ in range(50)] for lane in range(4)])
    assert np.array_equal(u, expected.T.ravel())
    assert np.array_equal(lanes, states.T)
    assert np.all((u >= 0.0) & (u < 1.0))


def test_the_group_tables_of_ais_hold_the_sums_of_rows():
    M = np.random.default_rng(0).normal(size=(7, 5))
    table = _ais.group_table(M)
    assert table.shape == (2, 16, 8)
    assert table.ctypes.data % 64 == 0
    padded = np.zeros((8, 8))
    padded[:7, :5] = M
    for g in range(2):
        for code in range(16):
            rows = [4 * g + bit for bit in range(4) if code >> bit & 1]
            np.testing.assert_allclose(table[g, code], padded[rows].sum(axis=0), atol=1e-15)


def test_log_likelihood_is_refused_for_grey_levels_and_left_out_of_the_monitor():
    W, b, c = _random_rbm(6, 4)
    grey = np.full((3, 6), 0.5)
    with pytest.raises(ValueError, match=r"X must be binary \(0 or 1\) for a log-likelihood.* 18 values"):
        rbm.log_likelihood(grey, W, b, c)
    with pytest.raises(ValueError, match="binarize"):
        rbm.log_likelihood(grey, W, b, c, method="ais", n_runs=2, betas=rbm.ais_schedule(10), seed=0)
    assert np.isfinite(rbm.log_likelihood((grey > 0.4).astype(float), W, b, c))
    grey_digits = datasets.digits()[0]
    model = rbm.RBM(8, n_epochs=1, random_state=0, monitor=True).fit(grey_digits)
    assert "log_likelihood" not in model.history_
    with pytest.raises(ValueError, match="binarize"):
        model.log_likelihood(grey_digits)
    model = rbm.RBM(8, n_epochs=1, random_state=0, monitor=True).fit(datasets.digits(binarize=0.5)[0])
    assert len(model.history_["log_likelihood"]) == 1
    model.partial_fit(grey_digits)  # grey levels from here on: the likelihood record ends
    assert "log_likelihood" not in model.history_


def test_visible_distribution_matches_a_brute_force_sum_over_both_layers():
    W, b, c = _random_rbm(6, 4, scale=1.5, seed=9)
    p = rbm.visible_distribution(W, b, c)
    visible = exact.states_by_code(6).astype(float)  # the order of visible_distribution
    hidden = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    minus_energy = visible @ b[:, None] + (hidden @ c)[None, :] + visible @ W @ hidden.T  # (64, 16)
    weights = np.exp(minus_energy - minus_energy.max())
    np.testing.assert_allclose(p, weights.sum(axis=1) / weights.sum(), rtol=1e-12, atol=0)
    # and the layer-by-layer route: -F(v) - log Z with the exact log Z over the hidden layer
    log_p = -rbm.free_energy(visible, W, b, c) - rbm.log_partition(W, b, c)
    np.testing.assert_allclose(np.log(p), log_p, rtol=1e-12)
    with pytest.raises(ValueError, match="n_visible must be <= EXACT_LIMIT"):
        rbm.visible_distribution(np.zeros((21, 2)), np.zeros(21), np.zeros(2))


def test_the_fast_ais_runs_equal_the_readable_reference_run_by_run():
    # rbm.ais_log_weights (four units per vector lane, table look-ups for the products) against
    # rbm.ais_run_reference (NumPy, line by line) with the same streams: the same samples, so the
    # log weights differ only by the order of additions (rounding: far below 1e-9 here)
    W, b, c = _random_rbm(9, 6, scale=1.0, seed=11)
    base = np.linspace(-1.0, 1.0, 9)
    betas = rbm.ais_schedule(60)
    log_weights, _ = rbm.ais_log_weights(W, b, c, n_runs=3, betas=betas, base_bias=base, seed=5)
    states = rng.stream_states(5, 12)
    reference = [
        rbm.ais_run_reference(W, b, c, betas, base, states[4 * r : 4 * r + 4].copy()) for r in range(3)
    ]
    np.testing.assert_allclose(log_weights, reference, rtol=0, atol=1e-9)
    assert len(set(np.round(reference, 6))) == 3  # three different runs, not one repeated
