"""The training epoch and block Gibbs sampling as single Numba kernels (private: the speed work).

:func:`train_epoch_fused` runs a whole epoch of :func:`bmlib.rbm.training.cd_reference`,
minibatch after minibatch, with no NumPy call inside: products with 0/1 samples are sums of
the weight rows of the units that are on, data rows gather their non-zero pixels, W and W^T
are both kept so every inner loop runs over contiguous memory, the sigmoids use the
vectorizable exp of :mod:`bmlib._simd`, and the chains go four at a time, one per vector lane
of random streams. :func:`train_epoch_threads` cuts every minibatch into parts run by
several threads and gives the same bits. The kernels take the named bundles of
:mod:`bmlib.rbm.bundles`. ``benchmarks/bench_rbm.py`` measures what this gains.
"""

import numpy as np
from numba import njit, prange

from bmlib._simd import (
    add_rows,
    draw,
    list_on,
    load_lanes,
    sigmoid_block,
    store_lanes,
    sum_rows,
    transpose4,
    uniform_lanes,
)
from bmlib._threads import NEXT_TASK, TASKS_DONE, atomic_add, wait_until


@njit(cache=True, error_model="numpy")
def gibbs_chains(v, W, WT, visible_bias, hidden_bias, n_steps, states):
    """Run ``n_steps`` block Gibbs steps v -> h -> v from each row of ``v`` (in place).

    Row r draws from stream r: per step n_hidden numbers for h, then n_visible for v. The first
    step starts from v as given (probabilities are fine); after it v is 0/1, so the products with
    the samples are sums of weight rows (:func:`add_rows`, :func:`sum_rows`). As in the
    training kernel, the rows go four at a time, one per lane of :func:`uniform_lanes` (lane l
    is stream r + l, so every row gets its own stream's numbers; the spare lanes of a last group
    draw numbers nobody uses), with the sigmoids of all four in one :func:`sigmoid_block`.
    """
    n_rows, n_visible = v.shape
    n_hidden = W.shape[1]
    size = max(n_visible, n_hidden)
    A_hidden_flat = np.empty(4 * n_hidden)
    A_hidden = A_hidden_flat.reshape((4, n_hidden))
    A_visible_flat = np.empty(4 * n_visible)
    A_visible = A_visible_flat.reshape((4, n_visible))
    scaled = np.empty(4 * size)
    reduced = np.empty(4 * size)
    u = np.empty(4 * size)
    lanes = np.empty((4, 4), dtype=np.uint64)
    lists = np.empty((4, size), dtype=np.int64)
    coefficients = np.empty((4, n_visible))
    counts = np.zeros(4, dtype=np.int64)
    for g in range(0, n_rows, 4):
        n_lanes = min(4, n_rows - g)
        load_lanes(lanes, states, g, n_lanes)
        for lane in range(n_lanes):
            x = v[g + lane]
            count = 0
            for i in range(n_visible):  # branch-free: the position only advances past non-zeros
                value = x[i]
                lists[lane, count] = i
                coefficients[lane, count] = value
                count += value != 0.0
            counts[lane] = count
        for _ in range(n_steps):
            # P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij), then h; lists[l, :counts[l]]: h_j = 1
            for lane in range(n_lanes):
                a = A_hidden[lane]
                a[:] = hidden_bias
                add_rows(a, W, lists[lane], coefficients[lane], counts[lane])
            block = A_hidden_flat[: n_lanes * n_hidden]
            sigmoid_block(block, block, scaled, reduced)
            uniform_lanes(lanes, u, n_hidden)
            for lane in range(n_lanes):
                p = A_hidden[lane]
                count = 0
                for j in range(n_hidden):
                    lists[lane, count] = j
                    count += u[4 * j + lane] < p[j]
                counts[lane] = count
            # P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j), then v; lists[l, :counts[l]]: v_i = 1
            for lane in range(n_lanes):
                a = A_visible[lane]
                a[:] = visible_bias
                sum_rows(a, WT, lists[lane], counts[lane])
            block = A_visible_flat[: n_lanes * n_visible]
            sigmoid_block(block, block, scaled, reduced)
            uniform_lanes(lanes, u, n_visible)
            for lane in range(n_lanes):
                x = v[g + lane]
                draw(u, lane, 4, A_visible[lane], x)
                counts[lane] = list_on(x, lists[lane])
                coefficients[lane, : counts[lane]] = 1.0
        store_lanes(lanes, states, g, n_lanes)


@njit(cache=True, inline="always")
def _share(n, part, n_parts):
    """The range [lo, hi) of part ``part`` when n items are cut into ``n_parts`` contiguous parts."""
    return (n * part) // n_parts, (n * (part + 1)) // n_parts


@njit(cache=True, inline="always")
def _positive_phase(X, order, start, part, W, hidden_bias, V, H_flat, work):
    """Data rows b0..b1-1 (``part``) of the minibatch at ``start``: V[b] = the row, H[b] =
    P(h = 1 | v), P(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij) summed over the non-zero v_i only."""
    b0, b1 = part
    rows, coefficients, scaled, reduced = work
    n_visible = X.shape[1]
    n_hidden = W.shape[1]
    H = H_flat.reshape((V.shape[0], n_hidden))
    for b in range(b0, b1):
        x = X[order[start + b]]
        v = V[b]
        count = 0
        for i in range(n_visible):  # branch-free: the position only advances past non-zeros
            value = x[i]
            v[i] = value
            rows[count] = i
            coefficients[count] = value
            count += value != 0.0
        h = H[b]
        h[:] = hidden_bias
        add_rows(h, W, rows, coefficients, count)
    block = H_flat[b0 * n_hidden : b1 * n_hidden]
    sigmoid_block(block, block, scaled, reduced)


@njit(cache=True, inline="always")
def _negative_phase(part, m, settings, params, WT, V, H_flat, negative, work):
    """k block Gibbs steps for the negative chains r0..r1-1: V[m + r] = the chain's last v,
    H[m + r] = P(h = 1 | v) for it; chain r draws from stream r (see :func:`train_epoch_fused`).

    Chains go four at a time, one per lane of :func:`uniform_lanes` (lane l = stream r + l, so
    each chain gets exactly the numbers of its own stream; the lanes of a last group with fewer
    than four chains draw numbers nobody uses). Products with 0/1 samples are sums of weight
    rows over the units that are on (:func:`sum_rows`), with ``lists[l, :counts[l]]`` listing
    them.
    """
    r0, r1 = part
    k, persistent = settings.k, settings.persistent
    W, visible_bias, hidden_bias = params
    chains, states = negative
    A_flat, lanes, u, lists, counts, scaled, reduced = work
    n_visible, n_hidden = W.shape
    H = H_flat.reshape((V.shape[0], n_hidden))
    A = A_flat.reshape((4, n_visible))
    for g in range(r0, r1, 4):
        n_lanes = min(4, r1 - g)
        load_lanes(lanes, states, g, n_lanes)
        if persistent:
            for lane in range(n_lanes):
                counts[lane] = list_on(chains[g + lane], lists[lane])
        else:  # CD: h ~ P(h | data row g + l), the first n_hidden numbers of the stream
            uniform_lanes(lanes, u, n_hidden)
            for lane in range(n_lanes):
                p = H[g + lane]
                count = 0
                for j in range(n_hidden):
                    lists[lane, count] = j
                    count += u[4 * j + lane] < p[j]
                counts[lane] = count
        for step in range(k):
            # v ~ P(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j): rows of W^T for h_j = 1
            for lane in range(n_lanes):
                a = A[lane]
                a[:] = visible_bias
                sum_rows(a, WT, lists[lane], counts[lane])
            block = A_flat[: n_lanes * n_visible]
            sigmoid_block(block, block, scaled, reduced)
            uniform_lanes(lanes, u, n_visible)
            for lane in range(n_lanes):
                v = V[m + g + lane]
                draw(u, lane, 4, A[lane], v)
                counts[lane] = list_on(v, lists[lane])
            # P(h_j = 1 | v) for the sampled v: rows of W for v_i = 1
            for lane in range(n_lanes):
                h = H[m + g + lane]
                h[:] = hidden_bias
                sum_rows(h, W, lists[lane], counts[lane])
            block = H_flat[(m + g) * n_hidden : (m + g + n_lanes) * n_hidden]
            sigmoid_block(block, block, scaled, reduced)
            if persistent:  # the chain's new h (listed only if another step follows)
                uniform_lanes(lanes, u, n_hidden)
                for lane in range(n_lanes):
                    chain = chains[g + lane]
                    draw(u, lane, 4, H[m + g + lane], chain)
                    if step < k - 1:
                        counts[lane] = list_on(chain, lists[lane])
            elif step < k - 1:  # CD: h for the next step, only listed
                uniform_lanes(lanes, u, n_hidden)
                for lane in range(n_lanes):
                    p = H[m + g + lane]
                    count = 0
                    for j in range(n_hidden):
                        lists[lane, count] = j
                        count += u[4 * j + lane] < p[j]
                    counts[lane] = count
        store_lanes(lanes, states, g, n_lanes)


@njit(cache=True, inline="always")
def _column_sums(M, first, last, out):
    """out[j] = M[first, j] + M[first + 1, j] + ... + M[last - 1, j], added in that order (from 0.0)."""
    out[:] = 0.0
    for t in range(first, last):
        row = M[t]
        for j in range(out.shape[0]):
            out[j] += row[j]


@njit(cache=True, inline="always")
def transpose_rows(W, WT, first, last):
    """WT[:, first:last] = W[first:last].T: rows of W just updated (still in the L1 cache) into
    W^T, 4 x 4 blocks at a time (:func:`transpose4`) where the layout allows. A separate pass
    over all of W afterwards would read W again from further away than L1."""
    n_hidden = W.shape[1]
    i = first
    if W.strides[1] == 8 and WT.strides[1] == 8:
        while i + 4 <= last:
            j = 0
            while j + 4 <= n_hidden:
                transpose4(W, WT, i, j)
                j += 4
            for jj in range(j, n_hidden):
                for r in range(i, i + 4):
                    WT[jj, r] = W[r, jj]
            i += 4
    for j in range(n_hidden):
        for r in range(i, last):
            WT[j, r] = W[r, j]


@njit(cache=True, inline="always")
def _update_phase(part, batch, params, WT, velocities, settings, offsets, V, H, work):
    """The update of the weight rows i0..i1-1 and their visible biases, and (``with_hidden``)
    of the hidden biases; each four rows also into W^T as soon as they are updated.

    dW_ij = <v_i h_j>_data - <v_i h_j>_model = sum_t coefficient_t(i) H[t, j], coefficient
    v_ti / m for data rows and -v_ti / n for chains;
    velocity = momentum * velocity + learning_rate * (dW - weight_decay * W);  W += velocity.
    With momentum = weight_decay = 0 the step is learning_rate * dW: learning_rate goes into
    the coefficients and the rows of H are added straight into W (the velocity, which nothing
    reads then, is written only in the last minibatch of the epoch, ``last``).
    The centred update (see :class:`RBM`) couples all rows through dc, so it runs as one part.
    """
    i0, i1, with_hidden = part
    m, n_negative, last = batch
    W, visible_bias, hidden_bias = params
    velocity_W, velocity_visible, velocity_hidden = velocities
    learning_rate, momentum, weight_decay = settings.learning_rate, settings.momentum, settings.weight_decay
    centered, offset_rate = settings.centered, settings.offset_rate
    visible_offset, hidden_offset = offsets
    rows, coefficients, gradient, d_hidden, g_hidden = work  # (gradient: also scratch for sums)
    n_visible, n_hidden = W.shape
    n_rows = m + n_negative
    plain = momentum == 0.0 and weight_decay == 0.0 and not last and not centered
    scale = learning_rate if plain else 1.0
    inverse_m, inverse_n = 1.0 / m, -1.0 / n_negative
    if with_hidden:
        # g_h = <h>_data - <h>_model (the hidden-bias gradient), the sums over rows taken for all
        # j at once (vectorized; each sum still adds the rows in order, from 0.0)
        _column_sums(H, 0, m, d_hidden)
        _column_sums(H, m, m + n_negative, gradient)
        for j in range(n_hidden):
            d_hidden[j] = d_hidden[j] / m - gradient[j] / n_negative
        if centered:
            g_hidden[:] = d_hidden  # the plain g_h; d_hidden becomes dc below
    for i in range(i0, i1):
        count = 0
        d_visible = 0.0
        for t in range(n_rows):
            x = V[t, i] * (inverse_m if t < m else inverse_n)
            rows[count] = t
            coefficients[count] = scale * x
            count += x != 0.0
            d_visible += x
        w = W[i]
        if plain:
            add_rows(w, H, rows, coefficients, count)
        else:
            gradient[:] = 0.0
            add_rows(gradient, H, rows, coefficients, count)
            if centered:
                # dW_ij = G_ij - mu_i g_h,j - g_v,i lambda_j;  db_i = g_v,i - sum_j dW_ij lambda_j;
                # dc_j = g_h,j - sum_i dW_ij mu_i
                mu = visible_offset[i]
                g_visible = d_visible
                for j in range(n_hidden):
                    g = gradient[j] - mu * g_hidden[j] - g_visible * hidden_offset[j]
                    gradient[j] = g
                    d_visible -= g * hidden_offset[j]
                    d_hidden[j] -= g * mu
            for j in range(n_hidden):
                step_ij = momentum * velocity_W[i, j] + learning_rate * (gradient[j] - weight_decay * w[j])
                velocity_W[i, j] = step_ij
                w[j] += step_ij
        velocity_visible[i] = momentum * velocity_visible[i] + learning_rate * d_visible
        visible_bias[i] += velocity_visible[i]
        if (i - i0) % 4 == 3:  # the last four rows, into W^T for the next minibatch
            transpose_rows(W, WT, i - 3, i + 1)
    if with_hidden:
        for j in range(n_hidden):
            velocity_hidden[j] = momentum * velocity_hidden[j] + learning_rate * d_hidden[j]
            hidden_bias[j] += velocity_hidden[j]
        if centered:
            _column_sums(H, 0, m, gradient)
            for j in range(n_hidden):
                hidden_offset[j] += offset_rate * (gradient[j] / m - hidden_offset[j])
    transpose_rows(W, WT, i1 - (i1 - i0) % 4, i1)  # the rows left over


@njit(cache=True, error_model="numpy")
def _epoch_tasks(X, order, params, WT, velocities, negative, settings, offsets, shared):
    """One thread's share of an epoch of :func:`train_epoch_fused` (all of it when alone).

    Each minibatch is two phases of ``n_parts`` tasks: sampling (part p: its share of the data
    rows and of the negative chains) and the update (part p: its share of the weight rows; the
    last part also the hidden biases; with ``centered`` part 0 does everything). Tasks are
    numbered in order, 2 n_parts per minibatch; a thread takes the next number from
    ``counters[NEXT_TASK]``, waits until every task of the earlier phases is finished
    (``counters[TASKS_DONE]``), runs it and counts it done. A thread only ever waits for tasks
    another thread has already taken, so the epoch finishes however many threads run it (one
    thread runs every task in order). Each task computes the same numbers whichever thread runs
    it, so the result does not depend on n_parts or on the threads.
    """
    V, H_flat, counters, n_parts = shared
    W, hidden_bias = params.W, params.hidden_bias
    batch_size, persistent, centered = settings.batch_size, settings.persistent, settings.centered
    n_samples, n_visible = X.shape
    n_hidden = W.shape[1]
    n_chains = negative.hidden.shape[0]
    H = H_flat.reshape((V.shape[0], n_hidden))
    size = max(n_visible, n_hidden, V.shape[0])
    rows = np.empty(size, dtype=np.int64)
    coefficients = np.empty(size)
    scratch = max(batch_size, 4) * max(n_visible, n_hidden)
    scaled = np.empty(scratch)
    reduced = np.empty(scratch)
    sampling = (
        np.empty(4 * n_visible),
        np.empty((4, 4), dtype=np.uint64),
        np.empty(4 * size),
        np.empty((4, size), dtype=np.int64),
        np.zeros(4, dtype=np.int64),
        scaled,
        reduced,
    )
    positive = (rows, coefficients, scaled, reduced)
    updating = (rows, coefficients, np.empty(n_hidden), np.empty(n_hidden), np.empty(n_hidden))
    n_batches = (n_samples + batch_size - 1) // batch_size
    n_tasks = 2 * n_parts * n_batches
    while True:
        task = atomic_add(counters, NEXT_TASK, 1)
        if task >= n_tasks:
            break
        batch = task // (2 * n_parts)
        update = (task // n_parts) % 2 == 1
        part = task % n_parts
        wait_until(counters, TASKS_DONE, task - part)
        start = batch * batch_size
        m = min(batch_size, n_samples - start)
        n_negative = n_chains if persistent else m
        if not update:
            b0, b1 = _share(m, part, n_parts)
            _positive_phase(X, order, start, (b0, b1), W, hidden_bias, V, H_flat, positive)
            r0, r1 = _share(n_negative, part, n_parts)
            _negative_phase((r0, r1), m, settings, params, WT, V, H_flat, negative, sampling)
        else:
            if centered:
                i0, i1 = (0, n_visible) if part == 0 else (0, 0)
                with_hidden = part == 0
            else:
                i0, i1 = _share(n_visible, part, n_parts)
                with_hidden = part == n_parts - 1
            ends = settings.ends_epoch and start + batch_size >= n_samples  # the epoch's last minibatch
            batch_rows = (m, n_negative, ends)
            _update_phase(
                (i0, i1, with_hidden), batch_rows, params, WT, velocities, settings, offsets, V, H, updating
            )
        atomic_add(counters, TASKS_DONE, 1)


@njit(cache=True)
def _epoch_buffers(n_visible, n_hidden, batch_size, n_chains):
    """What the threads of an epoch share: V (a row per data row, then per negative chain: its v),
    H (flat: their P(h | v)) and the two task counters of :func:`_epoch_tasks`."""
    n_rows = batch_size + max(batch_size, n_chains)
    return np.empty((n_rows, n_visible)), np.empty(n_rows * n_hidden), np.zeros(16, dtype=np.int64)


@njit(cache=True, error_model="numpy")
def train_epoch_fused(X, order, params, WT, velocities, negative, settings, offsets):
    """One epoch of CD-k / PCD-k over the rows ``X[order]``, minibatch by minibatch, in place.

    With ``centered``, the update is the centred one (see :class:`RBM`, ``centered``), with the
    offsets mu = ``visible_offset`` and lambda = ``hidden_offset``; lambda then moves towards
    the minibatch's mean P(h | v_data) by ``offset_rate`` after each update.

    Random numbers: negative chain r draws from stream r. CD: first n_hidden numbers for the
    hidden sample of data row r, then per Gibbs step n_visible (v) and n_hidden (h, skipped in
    the last step). PCD: per step n_visible then n_hidden (the last one updates the chain).
    A unit is 1 when its number u < its probability.

    What keeps the time small (``benchmarks/bench_rbm.py`` measures it):

    * products with 0/1 samples are sums of the weight rows of the units that are on
      (:func:`sum_rows`, no multiplications), with data rows only the non-zero pixels count;
      W and W^T are both kept so every row is contiguous;
    * sigmoids use the branch-free exp of :func:`bmlib._simd.exp_nonpositive`, split into four
      vectorized loops over whole blocks of rows (:func:`sigmoid_block`);
      ``error_model="numpy"`` drops Numba's zero check on every division, which otherwise keeps
      those loops scalar;
    * the chains go four at a time, their random streams stepped together in vector registers
      (:func:`uniform_lanes`); the 0/1 samples are drawn in one vectorized loop
      (:func:`draw`) and listed in another (:func:`list_on`): drawn and listed in one
      loop, each sample compiled to a conditional jump that random samples mispredict half of
      the time;
    * with momentum = 0 and no weight decay the update is added to W directly (the velocity,
      which nothing reads then, is written only in the last minibatch of the epoch).

    The work is organised as tasks (:func:`_epoch_tasks`), so that :func:`train_epoch_threads`
    can share each minibatch among threads and get the same result.
    """
    V, H_flat, counters = _epoch_buffers(
        X.shape[1], params.W.shape[1], settings.batch_size, negative.hidden.shape[0]
    )
    _epoch_tasks(X, order, params, WT, velocities, negative, settings, offsets, (V, H_flat, counters, 1))


@njit(cache=True, parallel=True)
def train_epoch_threads(X, order, params, WT, velocities, negative, settings, offsets, n_parts):
    """:func:`train_epoch_fused` with each minibatch cut into ``n_parts`` parts, run by up to
    ``n_parts`` threads of Numba's pool (see :func:`_epoch_tasks`); the same result bit for bit."""
    V, H_flat, counters = _epoch_buffers(
        X.shape[1], params.W.shape[1], settings.batch_size, negative.hidden.shape[0]
    )
    shared = (V, H_flat, counters, n_parts)
    for _ in prange(n_parts):  # one call only: a prange body must not read a NamedTuple's fields
        _epoch_tasks(X, order, params, WT, velocities, negative, settings, offsets, shared)
