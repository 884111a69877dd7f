"""bmlib.rbm against brute-force enumeration, a hand-written NumPy CD step, and exact CD-k expectations."""

import inspect
import itertools

import numpy as np
import pytest
from numba import njit, types

from bmlib import _simd, datasets, rbm, rng, stats
from bmlib.rbm import _blas, _fused, evaluation, tempering
from bmlib.rbm import bundles as rbm_bundles
from bmlib.rbm.bundles import Chains, Offsets, Parameters, Velocities


def _small_rbm(n_visible=6, n_hidden=4, scale=1.0, seed=0):
    g = np.random.default_rng(seed)
    return (
        g.normal(0.0, scale, (n_visible, n_hidden)),
        g.normal(0.0, scale, n_visible),
        g.normal(0.0, scale, n_hidden),
    )


def _all_states(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _joint_log_weights(W, b, c):
    """-E(v, h) for every (v, h): an array of shape (2^n_visible, 2^n_hidden), straight from E."""
    V, H = _all_states(len(b)), _all_states(len(c))
    return V @ b[:, None] + (H @ c)[None, :] + V @ W @ H.T


@njit(cache=True)
def _uniforms(states, stream, n):
    out = np.empty(n)
    for t in range(n):
        out[t] = rng.next_double(states, stream)
    return out


# ----------------------------------------------------------------------------------------------
# the model against enumeration
# ----------------------------------------------------------------------------------------------


def test_energy_matches_its_definition():
    W, b, c = _small_rbm()
    V, H = _all_states(6), _all_states(4)
    v, h = V[np.arange(16) * 4 % 64], H
    expected = np.array([-(vv @ b) - (hh @ c) - vv @ W @ hh for vv, hh in zip(v, h, strict=True)])
    np.testing.assert_allclose(rbm.energy(v, h, W, b, c), expected, rtol=1e-13, atol=1e-13)
    assert rbm.energy(v[3], h[3], W, b, c) == pytest.approx(expected[3], rel=1e-13)


def test_free_energy_equals_minus_log_sum_over_hidden_states():
    W, b, c = _small_rbm()
    log_weights = _joint_log_weights(W, b, c)
    brute = np.array([-stats.logsumexp(row) for row in log_weights])  # F(v) = -log sum_h exp(-E)
    np.testing.assert_allclose(rbm.free_energy(_all_states(6), W, b, c), brute, rtol=1e-12, atol=1e-12)


def test_log_partition_and_likelihood_by_enumeration():
    W, b, c = _small_rbm()
    log_weights = _joint_log_weights(W, b, c)
    log_z = stats.logsumexp(log_weights)
    assert rbm.log_partition(W, b, c) == pytest.approx(log_z, rel=1e-12)
    # the same model with more hidden than visible units: the other layer is enumerated
    assert rbm.log_partition(W.T.copy(), c, b) == pytest.approx(log_z, rel=1e-12)
    X = _all_states(6)[[3, 17, 40]]
    log_p = np.array([stats.logsumexp(log_weights[int("".join(str(int(x)) for x in row), 2)]) for row in X])
    assert rbm.log_likelihood(X, W, b, c) == pytest.approx(np.mean(log_p) - log_z, rel=1e-12)


def test_conditionals_are_ratios_of_joint_probabilities():
    W, b, c = _small_rbm()
    V, H = _all_states(6), _all_states(4)
    joint = np.exp(_joint_log_weights(W, b, c))  # unnormalised p(v, h): Z cancels in the ratios
    # P(h_j = 1 | v) = sum_{h: h_j = 1} p(v, h) / sum_h p(v, h)
    expected_h = (joint @ H) / joint.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(rbm.hidden_probabilities(V, W, c), expected_h, rtol=1e-12)
    # P(v_i = 1 | h) = sum_{v: v_i = 1} p(v, h) / sum_v p(v, h)
    expected_v = (joint.T @ V) / joint.sum(axis=0)[:, None]
    np.testing.assert_allclose(rbm.visible_probabilities(H, W, b), expected_v, rtol=1e-12)


def test_pseudo_log_likelihood_equals_the_exact_conditionals():
    W, b, c = _small_rbm()
    V = _all_states(6)
    log_p = np.array([stats.logsumexp(row) for row in _joint_log_weights(W, b, c)])  # log p(v) + log Z
    X = V[[0, 5, 22, 63, 41]]
    expected = []
    for x in X:
        index = int("".join(str(int(u)) for u in x), 2)
        total = 0.0
        for i in range(6):
            flipped = index ^ (1 << (5 - i))
            total += log_p[index] - np.logaddexp(log_p[index], log_p[flipped])  # log P(v_i | v_-i)
        expected.append(total)
    assert rbm.pseudo_log_likelihood(X, W, b, c) == pytest.approx(np.mean(expected), rel=1e-12)
    assert rbm.pseudo_log_likelihood(X, W, b, c) == rbm.pseudo_log_likelihood(X, W, b, c)  # deterministic


def test_reconstruction_error_and_reconstruct():
    W, b, c = _small_rbm()
    X = _all_states(6)[::7]
    mean_h = 1.0 / (1.0 + np.exp(-(X @ W + c)))
    recon = 1.0 / (1.0 + np.exp(-(mean_h @ W.T + b)))
    np.testing.assert_allclose(rbm.reconstruct(X, W, b, c), recon, rtol=1e-12)
    expected = ((X - recon) ** 2).sum(axis=1).mean()
    assert rbm.reconstruction_error(X, W, b, c) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------------------------
# sampling
# ----------------------------------------------------------------------------------------------


def test_sample_hidden_frequencies_match_probabilities():
    W, b, c = _small_rbm()
    v = np.tile(_all_states(6)[[9, 50]], (20_000, 1))
    h = rbm.sample_hidden(v, W, c, seed=3)
    assert set(np.unique(h)) <= {0.0, 1.0}
    p = rbm.hidden_probabilities(v[:2], W, c)
    for row in range(2):
        freq = h[row::2].mean(axis=0)
        error = np.sqrt(p[row] * (1 - p[row]) / 20_000)
        assert np.all(np.abs(freq - p[row]) < 5 * error)  # 5 binomial standard errors
    np.testing.assert_array_equal(h, rbm.sample_hidden(v, W, c, seed=3))  # same seed, same sample


def test_gibbs_chains_reach_the_exact_distribution():
    W, b, c = _small_rbm(scale=0.7)
    log_p = np.array([stats.logsumexp(row) for row in _joint_log_weights(W, b, c)])
    p = np.exp(log_p - stats.logsumexp(log_p))
    n = 40_000
    samples = rbm.sample(n, W, b, c, n_steps=30, seed=11)  # independent chains, random starts
    index = samples @ (2 ** np.arange(5, -1, -1))
    freq = np.bincount(index.astype(int), minlength=64) / n
    error = np.sqrt(p * (1 - p) / n)
    # 5 binomial standard errors per state (64 states: a false alarm has chance ~4e-5)
    assert np.all(np.abs(freq - p) < 5 * error + 1e-12), np.max(np.abs(freq - p) / error)


def test_gibbs_from_given_states_and_reproducibility():
    W, b, c = _small_rbm()
    start = _all_states(6)[[1, 2, 3]]
    first = rbm.gibbs(start, W, b, c, k=5, seed=4)
    assert first.shape == (3, 6) and set(np.unique(first)) <= {0.0, 1.0}
    np.testing.assert_array_equal(first, rbm.gibbs(start, W, b, c, k=5, seed=4))
    np.testing.assert_array_equal(start, _all_states(6)[[1, 2, 3]])  # input untouched
    # k = 1 by hand: h from stream r, then v from the same stream
    states = rng.stream_states(4, 3)
    u = np.array([_uniforms(states, r, 10) for r in range(3)])
    h = (u[:, :4] < rbm.hidden_probabilities(start, W, c)).astype(float)
    v = (u[:, 4:] < rbm.visible_probabilities(h, W, b)).astype(float)
    np.testing.assert_array_equal(rbm.gibbs(start, W, b, c, k=1, seed=4), v)


# ----------------------------------------------------------------------------------------------
# one CD / PCD update of every fast path against rbm.cd_reference, with the same random numbers
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["fused", "threads", "blas"])
@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("persistent, k", [(False, 1), (True, 1), (False, 3), (True, 2)])
def test_every_fast_update_equals_cd_reference(kernel, centered, persistent, k):
    W, b, c = _small_rbm(scale=0.5, seed=5)
    X = datasets.bars_and_stripes(2, distinct=False)[:, :].repeat(1, axis=0)
    X = np.concatenate([X[:5], np.array([[0.3, 0.0, 1.0, 0.75]])])  # a row of probabilities too
    X = np.concatenate([X, X[:, :2]], axis=1)  # 6 visible units
    g = np.random.default_rng(9)
    chains = (g.random((6, 4)) < 0.5).astype(float)
    velocities = (g.normal(0, 0.01, W.shape), g.normal(0, 0.01, 6), g.normal(0, 0.01, 4))
    lr, momentum, decay = 0.1, 0.5, 0.01
    states = rng.stream_states(21, 6)
    mu, lam = X.mean(0), np.array([0.4, 0.55, 0.5, 0.62])
    offset_rate = 0.01

    def bundles():  # fresh copies of everything an update changes
        return (
            Parameters(W.copy(), b.copy(), c.copy()),
            Velocities(*(v.copy() for v in velocities)),
            Chains(chains.copy(), states.copy()),
            rbm_bundles.settings(lr, momentum, decay, k, persistent, 6, centered, offset_rate),
            Offsets(mu, lam.copy()),
        )

    reference = bundles()
    rbm.cd_reference(X, *reference)
    params, vel, negative, settings, offsets = bundles()
    order = np.arange(6, dtype=np.int64)
    WT = np.ascontiguousarray(params.W.T)
    if kernel == "fused":
        _fused.train_epoch_fused(X, order, params, WT, vel, negative, settings, offsets)
    elif kernel == "threads":  # the minibatch cut into two parts (three data rows and chains each)
        _fused.train_epoch_threads(X, order, params, WT, vel, negative, settings, offsets, 2)
    else:
        _blas.train_epoch_blas(X, order, params, vel, negative, settings, offsets)
    expected = (*reference[0], reference[2].hidden)
    got_W, got_b, got_c = params
    got_chains, got_lam = negative.hidden, offsets.hidden
    # same random numbers -> the same samples, so only the order of additions differs
    np.testing.assert_allclose(got_W, expected[0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(got_b, expected[1], rtol=0, atol=1e-14)
    np.testing.assert_allclose(got_c, expected[2], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(got_chains, expected[3])
    assert not np.allclose(got_W, W)  # the update did something
    if centered:  # the hidden offsets move 1 % of the way to the minibatch's mean P(h | v_data)
        h_data = stats.sigmoid(X @ W + c)
        np.testing.assert_allclose(got_lam, lam + offset_rate * (h_data.mean(0) - lam), rtol=0, atol=1e-14)
    else:
        np.testing.assert_array_equal(got_lam, lam)


@pytest.mark.parametrize(
    "persistent, k, momentum, centered",
    [
        (False, 1, 0.0, False),
        (True, 1, 0.5, False),
        (False, 4, 0.9, False),
        (False, 1, 0.0, True),
        (True, 2, 0.5, True),
    ],
)
def test_fused_and_blas_epochs_agree(persistent, k, momentum, centered):
    X, _ = datasets.digits(binarize=0.5)
    X = X[:253]  # 25 minibatches of 10 and a last one of 3
    fits = [
        rbm.RBM(
            12,
            learning_rate=0.05,
            n_epochs=2,
            k=k,
            sampler="pcd" if persistent else "cd",
            momentum=momentum,
            weight_decay=1e-3,
            random_state=2,
            centered=centered,
            kernel=kernel,
            monitor=False,
        ).fit(X)
        for kernel in ("fused", "blas")
    ]
    np.testing.assert_allclose(fits[0].W_, fits[1].W_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fits[0].visible_bias_, fits[1].visible_bias_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fits[0].hidden_bias_, fits[1].hidden_bias_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fits[0].hidden_offset_, fits[1].hidden_offset_, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fits[0].persistent_chains_, fits[1].persistent_chains_)


def test_fused_epoch_without_momentum_or_decay_matches_blas():
    # momentum = weight_decay = 0 takes the fused kernel's shortcut (the step is added to W directly
    # and the velocity written only in the last minibatch): the same weights and the same final
    # velocity as the BLAS path, which always goes through the velocity
    X, _ = datasets.digits(binarize=0.5)
    X = X[:253]
    for persistent in (False, True):
        fits = [
            rbm.RBM(
                12,
                learning_rate=0.05,
                n_epochs=2,
                sampler="pcd" if persistent else "cd",
                random_state=4,
                kernel=kernel,
                monitor=False,
            ).fit(X)
            for kernel in ("fused", "blas")
        ]
        np.testing.assert_allclose(fits[0].W_, fits[1].W_, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fits[0].hidden_bias_, fits[1].hidden_bias_, rtol=0, atol=1e-12)
        for ours, theirs in zip(fits[0]._velocity, fits[1]._velocity, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
        assert np.abs(fits[0]._velocity[0]).max() > 0
        np.testing.assert_array_equal(fits[0].persistent_chains_, fits[1].persistent_chains_)


def _assert_same_arrays(ours, theirs):
    """Every array of two argument lists of an epoch kernel (bundles included) is the same, bit for bit."""
    for mine, other in zip(ours, theirs, strict=True):
        if isinstance(mine, tuple):
            _assert_same_arrays(mine, other)
        elif isinstance(mine, np.ndarray):
            np.testing.assert_array_equal(mine, other)


def _fused_epoch_arguments(X, n_hidden, batch_size, n_chains, persistent, k, momentum, decay, centered):
    g = np.random.default_rng(7)
    n_visible = X.shape[1]
    W = g.normal(0.0, 0.3, (n_visible, n_hidden))
    return [
        X,
        g.permutation(len(X)).astype(np.int64),
        Parameters(W, g.normal(0.0, 0.3, n_visible), g.normal(0.0, 0.3, n_hidden)),
        np.ascontiguousarray(W.T),
        Velocities(np.zeros_like(W), np.zeros(n_visible), np.zeros(n_hidden)),
        Chains(
            (g.random((n_chains, n_hidden)) < 0.4).astype(float),
            rng.stream_states(3, max(batch_size, n_chains)),
        ),
        rbm_bundles.settings(0.05, momentum, decay, k, persistent, batch_size, centered, 0.01),
        Offsets(X.mean(axis=0), np.full(n_hidden, 0.5)),
    ]


def _copy_arguments(arguments):
    return [
        type(a)(*(x.copy() for x in a))
        if isinstance(a, tuple) and not isinstance(a, rbm_bundles.Settings)
        else a.copy()
        if isinstance(a, np.ndarray)
        else a
        for a in arguments
    ]


@pytest.mark.parametrize(
    "persistent, k, momentum, decay, centered, batch_size, n_chains",
    [
        (True, 1, 0.0, 0.0, False, 10, 10),  # the plain PCD-1 shortcut
        (False, 1, 0.0, 0.0, False, 10, 10),
        (False, 3, 0.5, 1e-3, False, 7, 7),
        (True, 2, 0.5, 0.0, False, 10, 9),  # fewer chains than rows: an uneven last lane group
        (True, 1, 0.0, 0.0, True, 10, 10),  # centred: the update runs as one part
        (False, 2, 0.5, 1e-3, True, 3, 3),
    ],
)
def test_threaded_epochs_give_the_same_bits_as_the_serial_one(
    persistent, k, momentum, decay, centered, batch_size, n_chains
):
    # every part computes exactly what the serial kernel does for its rows, chains and weight
    # rows, so cutting each minibatch into 2, 3 or 5 parts changes no bit of any output
    X, _ = datasets.digits()
    X = X[:203]  # a last minibatch shorter than the others
    settings = (X, 30, batch_size, n_chains, persistent, k, momentum, decay, centered)
    start = _fused_epoch_arguments(*settings)
    serial = _fused_epoch_arguments(*settings)
    for _ in range(2):
        _fused.train_epoch_fused(*serial)
    assert not np.array_equal(serial[2].W, start[2].W)
    for n_parts in (2, 3, 5):
        threaded = _fused_epoch_arguments(*settings)
        for _ in range(2):
            _fused.train_epoch_threads(*threaded, n_parts)
        _assert_same_arrays(threaded, serial)


def test_threaded_epoch_finishes_with_a_single_thread():
    # a thread only ever waits for tasks another thread has already taken, so with one thread in
    # Numba's pool the parts simply run one after the other (no deadlock) and give the same bits
    import numba

    X, _ = datasets.digits(binarize=0.5)
    X = X[:100]
    serial = _fused_epoch_arguments(X, 20, 10, 10, True, 1, 0.0, 0.0, False)
    threaded = _copy_arguments(serial)
    _fused.train_epoch_fused(*serial)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        _fused.train_epoch_threads(*threaded, 2)
    finally:
        numba.set_num_threads(before)
    _assert_same_arrays(threaded, serial)


def test_n_jobs_gives_the_same_model():
    X, _ = datasets.digits(binarize=0.5)
    X = X[:300]
    fits = [
        rbm.RBM(
            16, learning_rate=0.05, n_epochs=2, sampler="pcd", random_state=1, monitor=False, n_jobs=n_jobs
        ).fit(X)
        for n_jobs in (None, 2, -1)
    ]
    for other in fits[1:]:
        np.testing.assert_array_equal(other.W_, fits[0].W_)
        np.testing.assert_array_equal(other.visible_bias_, fits[0].visible_bias_)
        np.testing.assert_array_equal(other.hidden_bias_, fits[0].hidden_bias_)
        np.testing.assert_array_equal(other.persistent_chains_, fits[0].persistent_chains_)


def test_fused_sigmoid_is_within_two_ulps_of_stats_sigmoid():
    @njit(error_model="numpy")
    def fused(a):
        out = a.copy()  # in place, as the kernels call it
        _simd.sigmoid_block(out, out, np.empty_like(a), np.empty_like(a))
        return out

    a = np.concatenate(
        [np.linspace(-40.0, 40.0, 200_001), [-708.0, -707.9, -700.0, -1e-300, 0.0, 1e-300, 700.0, 708.0, 1e4]]
    )
    expected = stats.sigmoid(a)
    got = fused(a)
    assert np.max(np.abs(got - expected) / np.spacing(expected)) <= 2.0
    # below -708, where the true value (< 3.3e-308) would be subnormal, it is 0 (as documented)
    assert np.array_equal(fused(np.array([-709.0, -1e4])), [0.0, 0.0])


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_transpose_rows_copies_exactly_those_rows_into_the_transpose(layout):
    """The update writes W's rows into W^T as 4 x 4 vector blocks where rows are contiguous,
    element by element otherwise; either way exactly the rows asked for, and nothing else."""
    g = np.random.default_rng(7)
    for n_visible, n_hidden, first, last in [(13, 10, 0, 13), (13, 10, 3, 12), (8, 4, 4, 8), (9, 7, 2, 3)]:
        W = g.normal(size=(n_visible, n_hidden))
        WT = np.full((n_hidden, n_visible), np.nan)
        if layout == "F":
            W, WT = np.asfortranarray(W), np.asfortranarray(WT)
        elif layout == "strided":
            W = np.repeat(W, 2, axis=1)[:, ::2]
            WT = np.repeat(WT, 2, axis=1)[:, ::2]
        _fused.transpose_rows(W, WT, first, last)
        np.testing.assert_array_equal(WT[:, first:last], W[first:last].T)
        assert np.isnan(WT[:, :first]).all() and np.isnan(WT[:, last:]).all()


# ----------------------------------------------------------------------------------------------
# CD-k against the exact gradient on a 2 x 2 bars-and-stripes-sized model
# ----------------------------------------------------------------------------------------------


def _exact_statistics(W, b, c, X, ks):
    """Exact <v h>_data, <v h>_model, and the exact expectation of the CD-k negative statistics."""
    V, H = _all_states(len(b)), _all_states(len(c))
    ph_v = rbm.hidden_probabilities(V, W, c)  # P(h_j = 1 | v) for every v
    joint_log = _joint_log_weights(W, b, c)
    log_pv = np.array([stats.logsumexp(row) for row in joint_log])
    p_model = np.exp(log_pv - stats.logsumexp(log_pv))
    data = X.T @ rbm.hidden_probabilities(X, W, c) / len(X)
    model = (V * p_model[:, None]).T @ ph_v
    # T[v, v'] = sum_h P(h | v) P(v' | h): one step of block Gibbs sampling on the visible layer
    p_h_given_v = np.prod(np.where(H[None, :, :] == 1, ph_v[:, None, :], 1 - ph_v[:, None, :]), axis=2)
    pv_h = rbm.visible_probabilities(H, W, b)
    p_v_given_h = np.prod(np.where(V[None, :, :] == 1, pv_h[:, None, :], 1 - pv_h[:, None, :]), axis=2)
    T = p_h_given_v @ p_v_given_h
    start = np.zeros(len(V))
    for x in X:
        start[int("".join(str(int(u)) for u in x), 2)] += 1.0 / len(X)
    negatives, variances = {}, {}
    for k in ks:
        p_k = start @ np.linalg.matrix_power(T, k)  # distribution of v_k in CD-k
        terms = V[:, :, None] * ph_v[:, None, :]  # v_i P(h_j | v) for each v
        negatives[k] = np.einsum("s,sij->ij", p_k, terms)
        variances[k] = np.einsum("s,sij->ij", p_k, terms**2) - negatives[k] ** 2
    return data, model, negatives, variances


def test_cd_k_approaches_the_exact_gradient_and_cd_infinity_equals_it():
    W, b, c = _small_rbm(n_visible=4, n_hidden=3, scale=1.5, seed=7)
    X = datasets.bars_and_stripes(2)  # the 6 distinct 2 x 2 patterns
    ks = [1, 2, 3, 5, 10]
    data, model, negatives, _ = _exact_statistics(W, b, c, X, ks + [2000])
    exact_gradient = data - model
    distances = [np.abs((data - negatives[k]) - exact_gradient).max() for k in ks]
    assert distances[0] > 0.01  # CD-1 is biased here
    # the bias shrinks with every k (geometrically, at the rate the Gibbs chain mixes) ...
    assert all(later < earlier for earlier, later in zip(distances, distances[1:], strict=False))
    # ... and CD-infinity, a chain that has forgotten the data, gives the exact gradient (to rounding)
    assert np.abs((data - negatives[2000]) - exact_gradient).max() < 1e-10


@pytest.mark.parametrize("k", [1, 5])
def test_cd_k_mean_update_matches_its_exact_expectation(k):
    W, b, c = _small_rbm(n_visible=4, n_hidden=3, scale=1.5, seed=7)
    X = datasets.bars_and_stripes(2)
    data, _, negatives, variances = _exact_statistics(W, b, c, X, [k])
    n_copies = 4000
    big_batch = np.tile(X, (n_copies, 1))  # one minibatch: 24000 independent CD-k chains
    n = len(big_batch)
    got_W = W.copy()
    _fused.train_epoch_fused(
        big_batch,
        np.arange(n, dtype=np.int64),
        Parameters(got_W, b.copy(), c.copy()),
        np.ascontiguousarray(W.T),
        Velocities(np.zeros_like(W), np.zeros(4), np.zeros(3)),
        Chains(np.zeros((n, 3)), rng.stream_states(17, n)),
        rbm_bundles.settings(1.0, 0.0, 0.0, k, False, n, False, 0.0),
        Offsets(np.zeros(4), np.zeros(3)),
    )
    update = got_W - W  # learning rate 1: the CD-k gradient estimate itself
    expected = data - negatives[k]
    # standard error of a mean of n independent chains, from the exact variance; 5 sigma
    tolerance = 5 * np.sqrt(variances[k] / n)
    assert np.all(np.abs(update - expected) < tolerance), np.max(np.abs(update - expected) / tolerance)


# ----------------------------------------------------------------------------------------------
# the estimator
# ----------------------------------------------------------------------------------------------


def test_training_on_digits_improves_pseudo_likelihood_and_is_reproducible():
    X, _ = datasets.digits(binarize=0.5)
    model = rbm.RBM(100, learning_rate=0.05, batch_size=10, n_epochs=8, random_state=1, monitor=True).fit(
        X[:1000]
    )
    pll = np.array(model.history_["pseudo_log_likelihood"])
    assert len(pll) == 8 and model.history_["epoch"] == list(range(1, 9))
    # better on average over epochs: a positive trend, and each half better than the one before
    assert np.polyfit(np.arange(8), pll, 1)[0] > 0
    assert pll[4:].mean() > pll[:4].mean() and pll[-1] > pll[0]
    start = rbm.RBM(100, random_state=1).partial_fit(X[:1000])  # one epoch
    assert model.pseudo_log_likelihood(X[:1000]) > start.pseudo_log_likelihood(X[:1000])
    again = rbm.RBM(100, learning_rate=0.05, batch_size=10, n_epochs=8, random_state=1).fit(X[:1000])
    np.testing.assert_array_equal(model.W_, again.W_)


def test_same_seed_gives_identical_weights_in_another_process(digests):
    other = digests.in_fresh_process(
        "from bmlib import datasets, rbm\n"
        "X, _ = datasets.digits(binarize=0.5)\n"
        "m = rbm.RBM(100, learning_rate=0.05, n_epochs=2, sampler='pcd', random_state=123, monitor=False)\n"
        "result = (m.fit(X[:400]).W_,)"
    )
    X, _ = datasets.digits(binarize=0.5)
    here = rbm.RBM(100, learning_rate=0.05, n_epochs=2, sampler="pcd", random_state=123, monitor=False).fit(
        X[:400]
    )
    assert other == digests.of(here.W_)


def test_initialisation_follows_hintons_guide():
    X, _ = datasets.digits(binarize=0.5)
    model = rbm.RBM(30, n_epochs=0, random_state=0).fit(X)
    p = np.clip(X.mean(axis=0), 0.001, 0.999)
    np.testing.assert_allclose(model.visible_bias_, np.log(p / (1 - p)))
    np.testing.assert_array_equal(model.hidden_bias_, np.zeros(30))
    assert model.W_.shape == (64, 30) and abs(model.W_.std() - 0.01) < 0.001


def test_small_models_record_the_exact_log_likelihood():
    X = datasets.bars_and_stripes(3)
    model = rbm.RBM(8, learning_rate=0.1, batch_size=2, n_epochs=3, random_state=0, monitor=True).fit(X)
    assert len(model.history_["log_likelihood"]) == 3
    assert model.history_["log_likelihood"][-1] == pytest.approx(model.log_likelihood(X), rel=1e-12)
    assert model.history_["log_likelihood"][-1] < 0 and model.transform(X).shape == (14, 8)
    quick = rbm.RBM(8, learning_rate=0.1, batch_size=2, n_epochs=3, random_state=0).fit(X)  # monitor="auto"
    np.testing.assert_array_equal(quick.W_, model.W_)  # monitoring never changes the training
    assert sorted(quick.history_) == ["epoch", "pseudo_log_likelihood", "reconstruction_error"]
    assert quick.history_["epoch"] == [1, 2, 3] and np.all(
        np.array(quick.history_["pseudo_log_likelihood"]) < 0
    )


def test_rbm_in_a_pipeline():
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from threadpoolctl import threadpool_limits

    X, y = datasets.digits()
    pipeline = Pipeline(
        [
            ("rbm", rbm.RBM(64, learning_rate=0.06, n_epochs=5, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    # one BLAS thread: on a busy 2-core machine OpenBLAS's spinning threads make lbfgs 100x slower
    with threadpool_limits(limits=1, user_api="blas"):
        pipeline.fit(X[:1200], y[:1200])
    assert pipeline.score(X[1200:], y[1200:]) > 0.7  # chance is 0.1
    assert pipeline.named_steps["rbm"].transform(X[:3]).shape == (3, 64)
    copy = clone(pipeline).set_params(rbm__n_hidden=10)
    assert copy.named_steps["rbm"].n_hidden == 10 and not hasattr(copy.named_steps["rbm"], "W_")
    assert pipeline.named_steps["rbm"].get_params()["n_hidden"] == 64


def test_progress_is_silent_when_nobody_watches(capsys):
    X = datasets.bars_and_stripes(2)
    rbm.RBM(3, n_epochs=2, random_state=0).fit(X)  # verbose="auto" under pytest: not a terminal
    assert capsys.readouterr() == ("", "")
    rbm.RBM(3, n_epochs=2, random_state=0, verbose=True).fit(X)
    assert "epoch 2/2" in capsys.readouterr().err


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings, error, message",
    [
        ({"n_hidden": 0}, ValueError, "n_hidden"),
        ({"k": 0}, ValueError, "k must be >= 1"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"n_hidden": 2.5}, TypeError, "n_hidden"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay"),
        ({"kernel": "gpu"}, ValueError, "kernel"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be None, a positive int or -1, got 0"),
        ({"n_jobs": -2}, ValueError, "n_jobs"),
        ({"n_jobs": 1.5}, TypeError, "n_jobs"),
        ({"n_jobs": True}, TypeError, "n_jobs"),
        ({"centered": "yes"}, TypeError, "centered must be True or False"),
        ({"centered": True, "sampler": "pt"}, ValueError, "centered=True works with CD and PCD"),
        # issue 17: bools are not numbers, flags are real bools
        ({"learning_rate": True}, TypeError, "learning_rate must be a number, got the bool True"),
        ({"momentum": True}, TypeError, "momentum must be a number, got the bool True"),
        ({"weight_decay": np.True_}, TypeError, "weight_decay must be a number, got the bool True"),
        ({"centered": 1}, TypeError, "centered must be True or False, got int 1"),
        ({"monitor": "no"}, TypeError, "monitor must be True or False"),
        ({"shuffle": np.nan}, TypeError, "shuffle must be True or False"),
        ({"verbose": "loud"}, ValueError, "verbose must be True, False, an int >= 0 or 'auto'"),
        ({"verbose": -1}, ValueError, "verbose must be True, False, an int >= 0 or 'auto'"),
        ({"random_state": "0"}, TypeError, "random_state must be None, an int"),
        ({"sampler": np.array(["cd", "pt"])}, ValueError, "sampler must be 'cd', 'pcd' or 'pt'"),
        ({"kernel": ["fused"]}, ValueError, "kernel must be 'auto', 'fused' or 'blas'"),
        # issue 17: huge counts are refused by name, before any allocation
        ({"n_hidden": 2**70}, ValueError, "n_hidden must be at most 1_000_000_000_000"),
        ({"k": 2**70}, ValueError, "k must be at most 1_000_000_000_000"),
        ({"n_epochs": 10**12 + 1}, ValueError, "n_epochs must be at most 1_000_000_000_000"),
        ({"sampler": "pt", "n_temperatures": 2**63}, ValueError, "n_temperatures must be at most 10_000"),
        ({"sampler": "pt", "n_temperatures": 10_001}, ValueError, "n_temperatures must be at most 10_000"),
        # issue 17: a weight decay that alone diverges is refused before training
        ({"learning_rate": 1.0, "weight_decay": 100.0}, ValueError, r"learning_rate \* weight_decay = 100"),
        (
            {"learning_rate": 1.0, "weight_decay": 3.0, "momentum": 0.5},
            ValueError,
            r"< 2 \(1 \+ momentum\) = 3",
        ),
    ],
)
def test_bad_settings(settings, error, message):
    with pytest.raises(error, match=message):
        rbm.RBM(**{"n_hidden": 3, **settings}).fit(datasets.bars_and_stripes(2))


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[0.0, 1.0, np.nan, 0.0]]), "Input X contains NaN"),
        (np.array([[0.0, 2.0, 1.0, 0.0]]), r"X must hold values in \[0, 1\]"),
        (np.array([[0.0, -0.5, 1.0, 0.0]]), r"X must hold values in \[0, 1\]"),
        (np.zeros((0, 4)), "0 sample"),
        (np.zeros((2, 2, 2)), "Found array with dim 3"),
        (np.zeros(4), "Expected 2D array, got 1D array instead"),
    ],
)
def test_bad_data(X, message):
    with pytest.raises(ValueError, match=message):
        rbm.RBM(3).fit(X)


def test_wrong_number_of_features_after_fit_and_unfitted_models():
    model = rbm.RBM(3, n_epochs=1, random_state=0)
    with pytest.raises(ValueError, match="not fitted"):
        model.transform(np.zeros((1, 4)))
    model.fit(datasets.bars_and_stripes(2))
    for method in (model.pseudo_log_likelihood, model.free_energy):
        with pytest.raises(ValueError, match="5 columns, expected"):
            method(np.zeros((2, 5)))
    for method in (model.transform, model.partial_fit, model.score_samples, model.score):
        with pytest.raises(ValueError, match="X has 5 features, but RBM is expecting 4 features"):
            method(np.zeros((2, 5)))


def test_bad_arguments_to_functions():
    W, b, c = _small_rbm()
    with pytest.raises(ValueError, match="visible_bias must have shape"):
        rbm.free_energy(np.zeros(6), W, b[:5], c)
    with pytest.raises(ValueError, match="v has 5 columns"):
        rbm.hidden_probabilities(np.zeros(5), W, c)
    with pytest.raises(ValueError, match=r"h must hold values in \[0, 1\]"):
        rbm.visible_probabilities(np.full(4, 3.0), W, b)
    with pytest.raises(ValueError, match="k must be >= 1"):
        rbm.gibbs(np.zeros(6), W, b, c, k=0)
    with pytest.raises(ValueError, match="EXACT_LIMIT"):
        rbm.log_partition(np.zeros((30, 25)), np.zeros(30), np.zeros(25))
    with pytest.raises(ValueError, match="W must be finite"):
        rbm.free_energy(np.zeros(6), np.full((6, 4), np.inf), b, c)


def test_the_estimator_methods_evaluate_its_fitted_parameters():
    X = (np.random.default_rng(3).random((40, 6)) < 0.5).astype(float)
    model = rbm.RBM(4, n_epochs=2, batch_size=10, random_state=1, monitor=False).fit(X)
    parameters = (model.W_, model.visible_bias_, model.hidden_bias_)
    assert model.log_partition() == rbm.log_partition(*parameters)
    assert model.log_likelihood(X) == rbm.log_likelihood(X, *parameters)


def test_cd_update_is_the_documented_step_by_hand():
    W, b, c = _small_rbm(scale=0.5, seed=8)
    v = _all_states(6)[[11, 52]]
    new_W, new_b, new_c = rbm.cd_update(v, W, b, c, k=1, learning_rate=0.2, seed=6)
    states = rng.stream_states(6, 2)
    u = np.array([_uniforms(states, r, 10) for r in range(2)])
    h0 = stats.sigmoid(v @ W + c)
    h = (u[:, :4] < h0).astype(float)
    v1 = (u[:, 4:] < stats.sigmoid(h @ W.T + b)).astype(float)
    h1 = stats.sigmoid(v1 @ W + c)
    np.testing.assert_allclose(new_W, W + 0.2 * (v.T @ h0 - v1.T @ h1) / 2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(new_b, b + 0.2 * (v - v1).mean(0), rtol=0, atol=1e-15)
    np.testing.assert_allclose(new_c, c + 0.2 * (h0 - h1).mean(0), rtol=0, atol=1e-15)
    assert not np.array_equal(new_W, W)


def test_tile_images_for_notebook_figures():
    from bmlib import plotting

    mosaic = plotting.tile_images(np.arange(5 * 6).reshape(5, 6), (2, 3), n_columns=3, padding=1)
    assert mosaic.shape == (2 * 3 - 1, 3 * 4 - 1)
    np.testing.assert_array_equal(mosaic[:2, :3], np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(mosaic[3:5, 4:7], np.arange(24, 30).reshape(2, 3))
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[3:, 8:]).all()  # gap row, unused cell
    with pytest.raises(ValueError, match="images must have shape"):
        plotting.tile_images(np.zeros((2, 5)), (2, 3))


def _arguments(function, **replaced):
    """Valid positional arguments for a public rbm function of a 4 x 3 RBM, some replaced."""
    values = {
        "v": np.zeros((2, 4)),
        "X": np.zeros((2, 4)),
        "h": np.zeros((2, 3)),
        "W": np.full((4, 3), 0.1),
        "visible_bias": np.zeros(4),
        "hidden_bias": np.zeros(3),
        "n_samples": 2,
        "betas": np.linspace(0.0, 1.0, 5),
        "base_bias": np.zeros(4),
        "streams": rng.stream_states(1, 4),
    }
    required = [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.default is inspect.Parameter.empty
    ]
    return [replaced.get(name, values[name]) for name in required]


_FUNCTIONS_OF_PARAMETERS = [
    name
    for name in rbm.__all__
    if callable(getattr(rbm, name))
    and not isinstance(getattr(rbm, name), type)
    and {"visible_bias", "hidden_bias"} & set(inspect.signature(getattr(rbm, name)).parameters)
]


@pytest.mark.parametrize("name", _FUNCTIONS_OF_PARAMETERS)
def test_a_bias_of_none_is_refused_by_name(name):
    # Issue 17: None for a bias gave "not enough values to unpack (expected 3, got 2)".
    function = getattr(rbm, name)
    for bias in {"visible_bias", "hidden_bias"} & set(inspect.signature(function).parameters):
        with pytest.raises(TypeError, match=f"{bias} must be an array"):
            function(*_arguments(function, **{bias: None}))


@pytest.mark.parametrize("name", _FUNCTIONS_OF_PARAMETERS)
def test_parameters_beyond_the_energy_bound_are_refused_by_name(name):
    # Issue 17: entries of 1e308 overflowed with a RuntimeWarning, and gave -inf or NaN.
    function = getattr(rbm, name)
    with pytest.raises(ValueError, match=r"W is too large: sum \|W\|"):
        function(*_arguments(function, W=np.full((4, 3), 1e308)))
    for bias, size in [("visible_bias", 4), ("hidden_bias", 3)]:
        if bias in inspect.signature(function).parameters:
            with pytest.raises(ValueError, match=f"{bias} is too large"):
                function(*_arguments(function, **{bias: np.full(size, 1e300)}))


@pytest.mark.parametrize("name", _FUNCTIONS_OF_PARAMETERS)
def test_parameters_just_below_the_energy_bound_give_finite_numbers_and_no_warning(name):
    # RuntimeWarnings are errors in this suite (pyproject.toml)
    function = getattr(rbm, name)
    g = np.random.default_rng(2)
    big = {"W": g.choice([-1e297, 1e297], (4, 3)), "visible_bias": np.full(4, -1e297)}
    few_runs = {"n_runs": 2, "betas": [0.0, 0.5, 1.0]} if name == "ais_log_weights" else {}
    results = function(*_arguments(function, **big, hidden_bias=np.full(3, 1e297)), **few_runs)
    for result in results if isinstance(results, tuple) else [results]:
        assert np.all(np.isfinite(result))


def test_the_settings_bundle_takes_bools_as_flags_only():
    # Issue 17: persistent=nan trained as PCD, learning_rate=True as 1.0.
    valid = dict(learning_rate=0.1, momentum=0.0, weight_decay=0.0, k=1, persistent=False)
    valid.update(batch_size=10, centered=False, offset_rate=0.01)
    assert rbm_bundles.settings(**valid) == (0.1, 0.0, 0.0, 1, False, 10, False, 0.01, True)
    for name, value in [("persistent", np.nan), ("centered", "yes"), ("persistent", 1), ("ends_epoch", 0)]:
        with pytest.raises(TypeError, match=f"{name} must be True or False"):
            rbm_bundles.settings(**{**valid, name: value})
    for name in ("learning_rate", "k", "batch_size"):
        with pytest.raises(TypeError, match=f"{name} must be a number, got the bool True"):
            rbm_bundles.settings(**{**valid, name: True})


def test_huge_counts_are_refused_by_name():
    # Issue 17: k=2**70 gave a Numba "non-precise type pyobject" trace; larger sizes than memory
    # gave NumPy's error about an array shape, not the setting that asked for it.
    W, b, c = _small_rbm()
    with pytest.raises(ValueError, match="k must be at most 1_000_000_000_000"):
        rbm.gibbs(np.zeros(6), W, b, c, k=2**70)
    with pytest.raises(ValueError, match="k must be at most 1_000_000_000_000"):
        rbm.cd_update(np.zeros(6), W, b, c, k=10**12 + 1)
    with pytest.raises(ValueError, match="n_steps must be at most"):
        rbm.sample(2, W, b, c, n_steps=2**70)
    with pytest.raises(ValueError, match="n_samples must be at most"):
        rbm.sample(2**70, W, b, c)
    # beyond a 64-bit address space (so refused even where the kernel overcommits memory)
    with pytest.raises(MemoryError, match="n_samples = 1_000_000_000_000 chains need more memory"):
        rbm.sample(10**12, np.zeros((200, 2)), np.zeros(200), np.zeros(2))
    with pytest.raises(MemoryError, match=r"batch_size = 1_000_000_000_000 need about [\d.e+]+ GiB"):
        rbm.RBM(100, batch_size=10**12).fit(datasets.bars_and_stripes(2))


@pytest.mark.parametrize("kernel, sampler", [("fused", "cd"), ("blas", "pcd"), ("auto", "pt")])
def test_training_that_diverges_stops_with_an_error_naming_the_settings(kernel, sampler):
    # Issue 17: at learning_rate=1e308 the fused kernel filled history_ with -inf and NaN (with
    # RuntimeWarnings), and the BLAS kernel said "visible_bias must be finite".
    X = datasets.bars_and_stripes(3)
    model = rbm.RBM(4, learning_rate=1e308, kernel=kernel, sampler=sampler, random_state=0, n_temperatures=3)
    with pytest.raises(
        FloatingPointError, match=r"diverged in epoch 1: W_ reached .*learning_rate \(now 1e\+308\)"
    ):
        model.fit(X)
    # finite, but far beyond any trained RBM
    model.set_params(learning_rate=1e7, momentum=0.5)
    with pytest.raises(FloatingPointError, match=r"W_ reached .*\(beyond \+-1e\+06\).*momentum \(now 0.5\)"):
        model.fit(X)


def test_divergence_is_checked_in_every_parameter_once_per_partial_fit():
    model = rbm.RBM(4, learning_rate=0.01, n_epochs=1, random_state=0, monitor=False).fit(
        datasets.bars_and_stripes(3)
    )
    model.hidden_bias_[:] = 2e6
    with pytest.raises(FloatingPointError, match="diverged in epoch 2: hidden_bias_ reached 2e"):
        model.partial_fit(datasets.bars_and_stripes(3))
    W, b, c = _small_rbm()
    with pytest.raises(FloatingPointError, match=r"learning_rate = 1e\+308 is too large for this step"):
        rbm.cd_update(np.ones((2, 6)), W, b, c, learning_rate=1e308)


def _read_only(numba_type):
    """Whether a compiled signature's argument type is, or holds, a read-only array."""
    if isinstance(numba_type, types.Array):
        return not numba_type.mutable
    return isinstance(numba_type, types.BaseTuple) and any(_read_only(t) for t in numba_type.types)


def _frozen(array):
    array = np.array(array)
    array.setflags(write=False)
    return array


def test_read_only_arrays_compile_no_second_specialisation():
    # Issue 17: a read-only argument (np.broadcast_to, a memory map, pandas) made Numba compile
    # each kernel again for read-only arrays: 7 to 20 seconds on first use.
    W, b, c = _small_rbm()
    X = _all_states(6)[::5]
    calls = [
        lambda W, X: rbm.gibbs(X, W, b, c, k=2, seed=0),
        lambda W, X: rbm.cd_update(X, W, b, c, seed=0),
        lambda W, X: rbm.sample_visible(X[:, :4], W, b, seed=0),
        lambda W, X: rbm.pseudo_log_likelihood(X, W, b, c),
        lambda W, X: rbm.RBM(4, n_epochs=1, batch_size=5, random_state=0, monitor=False, kernel="fused").fit(
            X
        ),
        lambda W, X: rbm.RBM(4, n_epochs=1, batch_size=5, random_state=0, monitor=False, kernel="blas").fit(
            X
        ),
        lambda W, X: rbm.RBM(4, n_epochs=1, batch_size=5, random_state=0, monitor=False, sampler="pt").fit(X),
    ]
    kernels = [
        _fused.gibbs_chains,
        _fused.train_epoch_fused,
        _blas.bernoulli,
        _blas.apply_update,
        evaluation.pseudo_log_likelihood_rows,
        tempering._tempered_chains,
    ]
    for call in calls:
        call(W, X)  # compiles (or loads from the cache) the writable specialisation
    compiled = [len(kernel.signatures) for kernel in kernels]
    for call in calls:
        call(_frozen(W), np.broadcast_to(X[0], X.shape))
        call(W, _frozen(X))
    assert [len(kernel.signatures) for kernel in kernels] == compiled
    assert not any(_read_only(t) for kernel in kernels for signature in kernel.signatures for t in signature)
