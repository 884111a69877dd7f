"""Annealed importance sampling, fast (private: the speed work).

The same AIS runs as :func:`bmlib.rbm.ais.ais_run_reference`, four runs at a time in vector
lanes: the hidden layer is summed out analytically, the 0/1 units are drawn from four
xoshiro256** streams stepped together (:func:`bmlib._simd.uniform_lanes`), and the products
with 0/1 vectors are table look-ups of precomputed sums of groups of four weight rows.
"""

import numpy as np
from numba import njit, prange

from bmlib._simd import exp_nonpositive, uniform_lanes


@njit(cache=True, inline="always")
def _softplus_difference(a, beta, previous, x, factors, factors_previous):
    """sum_j [softplus(beta a_j) - softplus(previous a_j)] for 0 <= previous < beta, storing
    x_j = beta a_j and factors_j = exp(-|x_j|) for the Gibbs step that follows.

    softplus(x) = max(x, 0) + log(1 + exp(-|x|)), and for beta >= 0, max(beta a, 0) = beta max(a, 0)
    and |beta a| = beta |a|. So the difference is (beta - previous) sum_j max(a_j, 0) plus the log
    of prod_j (1 + exp(-beta |a_j|)) / (1 + exp(-previous |a_j|)): the exps of both temperatures
    in one vectorized loop, then the sum and the two products in four interleaved accumulators
    (four independent dependency chains), and one log per 512 units (each factor is in (1, 2], so
    a product of 512 cannot overflow). Taking the log of the ratio also avoids subtracting two
    large, nearly equal sums.
    """
    n = a.shape[0]
    for j in range(n):
        y = a[j]
        x[j] = beta * y
        factors[j] = exp_nonpositive(-beta * abs(y))
        factors_previous[j] = exp_nonpositive(-previous * abs(y))
    s0 = s1 = s2 = s3 = 0.0
    p0 = p1 = p2 = p3 = 1.0
    q0 = q1 = q2 = q3 = 1.0
    logs = 0.0
    j = 0
    while j + 4 <= n:
        s0 += max(a[j], 0.0)
        s1 += max(a[j + 1], 0.0)
        s2 += max(a[j + 2], 0.0)
        s3 += max(a[j + 3], 0.0)
        p0 *= 1.0 + factors[j]
        p1 *= 1.0 + factors[j + 1]
        p2 *= 1.0 + factors[j + 2]
        p3 *= 1.0 + factors[j + 3]
        q0 *= 1.0 + factors_previous[j]
        q1 *= 1.0 + factors_previous[j + 1]
        q2 *= 1.0 + factors_previous[j + 2]
        q3 *= 1.0 + factors_previous[j + 3]
        j += 4
        if (j & 511) == 0:
            logs += np.log(((p0 * p1) * (p2 * p3)) / ((q0 * q1) * (q2 * q3)))
            p0 = p1 = p2 = p3 = q0 = q1 = q2 = q3 = 1.0
    while j < n:
        s0 += max(a[j], 0.0)
        p0 *= 1.0 + factors[j]
        q0 *= 1.0 + factors_previous[j]
        j += 1
    logs += np.log(((p0 * p1) * (p2 * p3)) / ((q0 * q1) * (q2 * q3)))
    return (beta - previous) * ((s0 + s1) + (s2 + s3)) + logs


@njit(cache=True, inline="always")
def _draw_codes(x, factors, u, on, codes):
    """Draw units_i = [u_i < sigmoid(x_i)] (factors_i = exp(-|x_i|)) for the 4 len(codes) units
    and store them four at a time as codes[g] = sum_l units_{4g+l} 2^l.

    sigmoid(x) = n / (1 + e) with e = exp(-|x|) and n = 1 (x >= 0) or e (x < 0), so the test is
    u (1 + e) < n: the same event in real arithmetic, without a division (both loops vectorize).
    """
    for i in range(4 * codes.shape[0]):
        e = factors[i]
        on[i] = np.int64(u[i] * (1.0 + e) < (1.0 if x[i] >= 0.0 else e))
    for g in range(codes.shape[0]):
        codes[g] = (on[4 * g] | (on[4 * g + 1] << 1)) | ((on[4 * g + 2] << 2) | (on[4 * g + 3] << 3))


@njit(cache=True, inline="always")
def _sum_table_rows(out, start, table, codes):
    """out = start + sum_g table[g, codes[g]], four rows per pass over ``out``."""
    n = out.shape[0]
    n_groups = codes.shape[0]
    for j in range(n):
        out[j] = start[j]
    g = 0
    while g + 4 <= n_groups:
        c0, c1, c2, c3 = codes[g], codes[g + 1], codes[g + 2], codes[g + 3]
        for j in range(n):
            out[j] += (table[g, c0, j] + table[g + 1, c1, j]) + (table[g + 2, c2, j] + table[g + 3, c3, j])
        g += 4
    while g < n_groups:
        c0 = codes[g]
        for j in range(n):
            out[j] += table[g, c0, j]
        g += 1


@njit(cache=True)
def _fill_group_table(table, M):
    """table[g, code, :M.shape[1]] = sum of the rows M[4 g + l] over the bits l of ``code`` (rows
    past the end of M count as zero), each sum one row added to a shorter one in a fixed order."""
    n_rows, n = M.shape
    for g in range(table.shape[0]):
        for j in range(table.shape[2]):
            table[g, 0, j] = 0.0
        for code in range(1, 16):
            low = 0
            while not (code >> low) & 1:
                low += 1
            rest = code - (1 << low)
            i = 4 * g + low
            for j in range(n):
                table[g, code, j] = table[g, rest, j] + (M[i, j] if i < n_rows else 0.0)


def group_table(M):
    """The table of :func:`_fill_group_table` for the rows of M in groups of four: shape
    (ceil(rows / 4), 16, columns rounded up to 8), zero-padded, its rows aligned to 64 bytes
    (a row of 64 doubles then spans exactly 8 cache lines)."""
    n_rows, n = M.shape
    shape = (-(-n_rows // 4), 16, -(-n // 8) * 8)
    size = shape[0] * shape[1] * shape[2]
    buffer = np.zeros(size + 8)
    offset = (-buffer.ctypes.data % 64) // 8
    table = buffer[offset : offset + size].reshape(shape)
    _fill_group_table(table, M)
    return table


@njit(cache=True, parallel=True, error_model="numpy")
def ais_runs(visible_bias, hidden_bias, base_bias, betas, states, hidden_table, visible_table):
    """Log importance weights of AIS runs, four random streams per run (Salakhutdinov & Murray 2008).

    Run r: v ~ p_0 (independent units, P(v_i = 1) = sigmoid(b_A_i)); then for k = 1..K
    log w += log p*_k(v) - log p*_{k-1}(v), with
    log p*_beta(v) = (1 - beta) b_A.v + beta b.v + sum_j softplus(beta a_j),  a_j = c_j + (v W)_j,
    and (for k < K) one Gibbs step that leaves p_k invariant:
    h_j ~ sigmoid(beta_k a_j), v_i ~ sigmoid((1 - beta_k) b_A_i + beta_k (b_i + (W h)_i)).

    The products with W come from tables over groups of four units (:func:`group_table`):
    ``hidden_table[g, code]`` = sum of the columns W[:, 4g + l] over the bits l of code, and
    ``visible_table[g, code]`` = the same sum of rows of [W | b | b_A], so W h is the sum of
    ceil(n_hidden / 4) table rows, and a, b.v and b_A.v of ceil(n_visible / 4) (computed afresh
    each step, so no rounding accumulates: a 64 x 100 RBM takes 25 + 16 rows a step, against about
    44 + 16 rows of W for updating W h and a by the units that changed). The units are drawn
    with :func:`_draw_codes`, the exps are :func:`bmlib._simd.exp_nonpositive` in vectorized
    loops, and ``error_model="numpy"`` lets the divisions vectorize.

    Random numbers: run r owns streams 4r..4r+3 of ``states`` (shape (4 n_runs, 4)), stepped
    together by :func:`uniform_lanes`. A layer of n units draws ceil(n / 4) numbers from each of
    the four (for v_0, then per step the hidden and the visible layer): unit i takes the
    (i div 4)-th number of stream 4r + (i mod 4); the numbers of the (up to 3) padding units
    are drawn and not used.
    """
    n_runs = states.shape[0] // 4
    n_visible, n_hidden = visible_bias.shape[0], hidden_bias.shape[0]
    n_betas = betas.shape[0]
    groups_hidden, groups_visible = hidden_table.shape[0], visible_table.shape[0]
    zeros = np.zeros(hidden_table.shape[2])
    start = np.zeros(visible_table.shape[2])  # c, then 0 for the bias columns and the padding
    start[:n_hidden] = hidden_bias
    log_weights = np.empty(n_runs)
    for r in prange(n_runs):
        lanes = np.empty((4, 4), dtype=np.uint64)
        for lane in range(4):
            for w in range(4):
                lanes[w, lane] = states[4 * r + lane, w]
        u = np.empty(4 * max(groups_hidden, groups_visible))
        on = np.empty(u.shape[0], dtype=np.int64)
        codes_hidden = np.empty(groups_hidden, dtype=np.int64)
        codes_visible = np.empty(groups_visible, dtype=np.int64)
        x_hidden = np.zeros(4 * groups_hidden)  # padding units: x = 0, factor 1 (drawn, unused)
        factors_hidden = np.ones(4 * groups_hidden)
        factors_previous = np.empty(n_hidden)
        x_visible = np.zeros(4 * groups_visible)
        factors_visible = np.ones(4 * groups_visible)
        wh = np.empty(hidden_table.shape[2])  # W h (then padding)
        fields = np.empty(visible_table.shape[2])  # a = c + v W, b.v, b_A.v (then padding)
        a = fields[:n_hidden]
        for i in range(n_visible):
            x_visible[i] = base_bias[i]
            factors_visible[i] = exp_nonpositive(-abs(base_bias[i]))
        uniform_lanes(lanes, u, groups_visible)
        _draw_codes(x_visible, factors_visible, u, on, codes_visible)
        _sum_table_rows(fields, start, visible_table, codes_visible)
        log_w = 0.0
        for k in range(1, n_betas):
            beta, previous = betas[k], betas[k - 1]
            # log p*_k(v) - log p*_{k-1}(v); keeps beta_k's x and factors for the Gibbs step
            log_w += (beta - previous) * (fields[n_hidden] - fields[n_hidden + 1])
            log_w += _softplus_difference(a, beta, previous, x_hidden, factors_hidden, factors_previous)
            if k == n_betas - 1:
                break
            # h_j ~ sigmoid(beta a_j), then W h from the table
            uniform_lanes(lanes, u, groups_hidden)
            _draw_codes(x_hidden, factors_hidden, u, on, codes_hidden)
            _sum_table_rows(wh, zeros, hidden_table, codes_hidden)
            # v_i ~ sigmoid((1 - beta) b_A_i + beta (b_i + (W h)_i)), then a, b.v, b_A.v from the table
            for i in range(n_visible):
                y = (1.0 - beta) * base_bias[i] + beta * (visible_bias[i] + wh[i])
                x_visible[i] = y
                factors_visible[i] = exp_nonpositive(-abs(y))
            uniform_lanes(lanes, u, groups_visible)
            _draw_codes(x_visible, factors_visible, u, on, codes_visible)
            _sum_table_rows(fields, start, visible_table, codes_visible)
        log_weights[r] = log_w
        for lane in range(4):
            for w in range(4):
                states[4 * r + lane, w] = lanes[w, lane]
    return log_weights
