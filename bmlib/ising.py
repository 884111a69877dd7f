"""The two-dimensional Ising model: energies, Monte Carlo samplers, exact results, annealing.

Spins s_i in {-1, +1} (int8) sit on an L x L square lattice with periodic boundaries. The
energy of a configuration is

    E(s) = -J sum_<ij> s_i s_j - h sum_i s_i,

the first sum over nearest-neighbour pairs (each pair once). Temperatures are in units of
J / k_B. In the thermodynamic limit the model orders below T_C = 2 / ln(1 + sqrt 2).

Samplers
--------
:func:`metropolis`
    Checkerboard Metropolis: sites of one colour have neighbours only of the other colour,
    so a whole colour can be updated in any order, or in parallel, with the same result.
    Acceptance probabilities come from a precomputed table (the local field takes only 5
    values); each lattice row has its own xoshiro256** stream from :mod:`bmlib.rng`, so the
    result depends on the seed alone, not on the number of threads.
:func:`wolff`
    Wolff single-cluster updates (h = 0), which do not slow down near T_C.

Exact results
-------------
Onsager's energy and specific heat and Yang's spontaneous magnetisation (infinite lattice),
and :func:`exact_observables` by enumerating all 2^(L*L) states of an L <= 4 lattice.

Spin glasses
------------
:func:`anneal` runs Metropolis or heat-bath sweeps at a decreasing temperature on any
symmetric coupling matrix: Sherrington-Kirkpatrick, +-J, or a max-cut instance.
"""

import functools
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from bmlib import _validate, exact, rng, stats
from bmlib.progress import Progress

__all__ = [
    "T_C",
    "random_spins",
    "ordered_spins",
    "energy",
    "magnetization",
    "metropolis",
    "metropolis_snapshots",
    "wolff",
    "simulate",
    "series_observables",
    "SimulationResult",
    "exact_distribution",
    "ExactDistribution",
    "onsager_energy",
    "onsager_specific_heat",
    "onsager_magnetization",
    "exact_observables",
    "couplings_energy",
    "anneal",
    "AnnealResult",
    "geometric_schedule",
]

T_C = 2.0 / np.log(1.0 + np.sqrt(2.0))
"""Critical temperature of the square-lattice Ising model, 2 / ln(1 + sqrt 2) = 2.26918... (J = k_B = 1)."""

# ---------------------------------------------------------------------------------------
# Lattices and their energy


def _lattice_size(L):
    L = _validate.count("L", L)
    if L < 2:
        raise ValueError(f"L must be >= 2, got {L}")
    return L


def random_spins(L, seed=None):
    """An L x L lattice of independent random spins (infinite temperature).

    Parameters
    ----------
    L : int
        Side of the lattice, >= 2.
    seed : int, numpy.random.Generator or None

    Returns
    -------
    ndarray of shape (L, L), dtype int8, values -1 and +1
    """
    L = _lattice_size(L)
    return (2 * rng.as_generator(seed).integers(0, 2, size=(L, L)) - 1).astype(np.int8)


def ordered_spins(L):
    """An L x L lattice with every spin +1 (a ground state at h >= 0).

    Returns
    -------
    ndarray of shape (L, L), dtype int8
    """
    return np.ones((_lattice_size(L), _lattice_size(L)), dtype=np.int8)


def _check_spins(spins, *, writable=False):
    """Return ``spins`` as a C-contiguous int8 square lattice of +-1, refusing anything else."""
    if not isinstance(spins, np.ndarray):
        raise TypeError(f"spins must be a numpy array of shape (L, L), got {type(spins).__name__}")
    if spins.ndim != 2 or spins.shape[0] != spins.shape[1]:
        raise ValueError(f"spins must be a square lattice of shape (L, L), got shape {spins.shape}")
    if spins.shape[0] < 2:
        raise ValueError(f"spins must be at least 2 x 2, got {spins.shape}")
    if writable:
        if spins.dtype != np.int8:
            raise TypeError(
                f"spins must have dtype int8 to be updated in place, got {spins.dtype} "
                "(convert once with spins.astype(np.int8))"
            )
        if not spins.flags.c_contiguous or not spins.flags.writeable:
            raise ValueError("spins must be a writable C-contiguous array to be updated in place")
    if not np.all((spins == 1) | (spins == -1)):
        raise ValueError("spins must hold only -1 and +1")
    return spins if spins.dtype == np.int8 else spins.astype(np.int8)


def _real(name, value):
    """A single finite real number (J and h may be negative or zero)."""
    if np.ndim(value) != 0:
        raise ValueError(f"{name} must be a single number, got an array of shape {np.shape(value)}")
    return float(_validate.real_array(name, value))


@njit(cache=True)
def _bond_sum_and_magnetization(spins):
    # sum_<ij> s_i s_j over right and down neighbours (each bond once), and sum_i s_i
    L = spins.shape[0]
    bonds = 0
    total = 0
    for i in range(L):
        down = i + 1 if i + 1 < L else 0
        for j in range(L):
            right = j + 1 if j + 1 < L else 0
            s = spins[i, j]
            bonds += s * (spins[i, right] + spins[down, j])
            total += s
    return bonds, total


def energy(spins, J=1.0, h=0.0, *, per_spin=False):
    """E(s) = -J sum_<ij> s_i s_j - h sum_i s_i with periodic boundaries.

    Parameters
    ----------
    spins : ndarray of shape (L, L)
        Values -1 and +1 (any integer dtype).
    J, h : float
        Coupling and external field.
    per_spin : bool
        Return E / L^2 instead of E.

    Returns
    -------
    float
    """
    spins = _check_spins(spins)
    J, h = _real("J", J), _real("h", h)
    bonds, total = _bond_sum_and_magnetization(spins)
    value = -J * bonds - h * total
    return value / spins.size if per_spin else float(value)


def magnetization(spins, *, per_spin=False):
    """M(s) = sum_i s_i (or M / L^2 with ``per_spin=True``).

    Returns
    -------
    int or float
    """
    spins = _check_spins(spins)
    total = int(spins.sum(dtype=np.int64))
    return total / spins.size if per_spin else total


# ---------------------------------------------------------------------------------------
# Metropolis
#
# A site whose spin s has a aligned neighbours (a = 0..4, so s * sum_nb s_j = 2a - 4) is in
# class c = 5 [s = +1] + a; flipping it costs dE = 2 J (2a - 4) + 2 h s. Metropolis accepts
# with probability min(1, exp(-dE / T)), which satisfies detailed balance with respect to
# p(s) ~ exp(-E(s) / T). A class with dE <= 0 is always accepted; any other one has the
# 64-bit threshold P = floor(p 2^64), and a flip is accepted when a uniform 64-bit integer
# U is below P: probability P / 2^64, within 2^-64 (5e-20) of p.
#
# Even L: multi-spin coding. Row i of the lattice is stored in W 64-bit words, site
# (i, k W + w) as bit k of word w (B = L / W bits used per word, W even), so a word holds
# sites of one colour, (i + w) % 2, and its neighbours are whole words too: the same word in
# the rows above and below, and words w - 1 and w + 1 (rotated by one bit at the row's
# ends). The aligned-neighbour count of all B sites is added in bit-parallel arithmetic,
# and U < P is decided for all of them at once, most significant bit first: bit d of
# word d from the row's stream is bit d of every site's U; a site is decided at the first
# bit where its U and its threshold differ (U < P if that bit of U is 0). About
# log2(#undecided sites) + 1.3 random words settle a whole word of sites, so the random
# numbers cost a fraction of a bit per site, and each site is accepted with probability
# exactly P / 2^64 as above. Odd L (where a colour's sites can be neighbours across the
# boundary) uses a site-by-site kernel with one 64-bit U per site.

_N_CLASSES = 10
_ONE = np.uint64(1)
_ALL_BITS = np.uint64(0xFFFFFFFFFFFFFFFF)


def _acceptance_table(T, J, h):
    """Metropolis acceptance per class c = 5 [s = +1] + a (a aligned neighbours).

    Returns ``(always, thresholds)``: a bit mask of the classes whose flips are always
    accepted (dE <= 0, or p rounds to 1), and an array of 10 uint64 thresholds
    P = floor(p 2^64) for the others (p = exp(-dE/T) < 1), accepted when U64 < P.
    """
    always = 0
    thresholds = np.zeros(_N_CLASSES, dtype=np.uint64)
    for up in (0, 1):
        s = 2 * up - 1
        for a in range(5):
            c = 5 * up + a
            p = np.exp(-(2.0 * J * (2 * a - 4) + 2.0 * h * s) / T)
            if p >= 1.0:
                always |= 1 << c
            else:
                thresholds[c] = int(p * 2.0**64)  # exact: p < 1 times a power of two
    return np.int64(always), thresholds


def _threshold_groups(always, thresholds):
    """Classes that share a threshold: (thresholds, member-class masks), 5 entries each.

    A class and its mirror (spin reversed, a -> 4 - a) have opposite dE, so at most 5
    classes need a random number; unused entries have no members and threshold 0.
    """
    shared = {}
    for c in range(_N_CLASSES):
        if not (always >> c) & 1:
            shared.setdefault(int(thresholds[c]), []).append(c)
    group_thresholds = np.zeros(5, dtype=np.uint64)
    members = np.zeros(5, dtype=np.int64)
    for g, (threshold, classes) in enumerate(sorted(shared.items())):
        group_thresholds[g] = threshold
        members[g] = sum(1 << c for c in classes)
    return group_thresholds, members, len(shared)


def _word_layout(L):
    """(W, B): words per row and bits used per word for an even L (the smallest even W)."""
    for W in range(2, L + 1, 2):
        if L % W == 0 and L // W <= 64:
            return W, L // W
    raise ValueError(f"L must be even for the multi-spin kernel, got L = {L}")


@njit(cache=True)
def _pack(spins, W):
    # bit k of word (i, w) is 1 where spin (i, k W + w) is +1
    L = spins.shape[0]
    packed = np.zeros((L, W), dtype=np.uint64)
    for i in range(L):
        for x in range(L):
            if spins[i, x] > 0:
                k = x // W
                packed[i, x - k * W] |= _ONE << np.uint64(k)
    return packed


@njit(cache=True)
def _unpack(packed, spins):
    L, W = packed.shape
    for i in range(L):
        for x in range(L):
            k = x // W
            spins[i, x] = 1 if (packed[i, x - k * W] >> np.uint64(k)) & _ONE else -1


@njit(cache=True, inline="always")
def _popcount(x):
    x = x - ((x >> _ONE) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, inline="always")
def _class_union(members, a0, a1, a2, a3, a4, up):
    # The sites whose class (5 [s = +1] + a) is in the bit set `members`.
    if members & 0x1F == (members >> 5) & 0x1F:  # the same for both spins (h = 0)
        sites = np.uint64(0)
        if members & 1:
            sites |= a0
        if members & 2:
            sites |= a1
        if members & 4:
            sites |= a2
        if members & 8:
            sites |= a3
        if members & 16:
            sites |= a4
        return sites
    down_sites = np.uint64(0)
    up_sites = np.uint64(0)
    if members & 1:
        down_sites |= a0
    if members & 2:
        down_sites |= a1
    if members & 4:
        down_sites |= a2
    if members & 8:
        down_sites |= a3
    if members & 16:
        down_sites |= a4
    if members & 32:
        up_sites |= a0
    if members & 64:
        up_sites |= a1
    if members & 128:
        up_sites |= a2
    if members & 256:
        up_sites |= a3
    if members & 512:
        up_sites |= a4
    return (down_sites & ~up) | (up_sites & up)


@njit(cache=True, inline="always")
def _digit(group, threshold, bit):
    # the sites of `group`, where bit `bit` of the group's threshold is 1
    return group & (np.uint64(0) - ((threshold >> bit) & _ONE))


@njit(cache=True)
def _packed_half_row(packed, i, colour, B, thresholds, members, n_groups, states):
    # Update the words of row i with colour (i + w) % 2 == colour; returns accepted flips.
    L, W = packed.shape
    width = _ALL_BITS if B == 64 else (_ONE << np.uint64(B)) - _ONE
    top = np.uint64(B - 1)
    above = packed[i - 1 if i > 0 else L - 1]
    below = packed[i + 1 if i + 1 < L else 0]
    row = packed[i]
    t0, t1, t2, t3, t4 = thresholds[0], thresholds[1], thresholds[2], thresholds[3], thresholds[4]
    s0, s1, s2, s3 = states[i, 0], states[i, 1], states[i, 2], states[i, 3]
    flips = 0
    for w in range((colour + i) & 1, W, 2):
        up = row[w]
        if w > 0:
            left = row[w - 1]
        else:
            z = row[W - 1]
            left = ((z << _ONE) | (z >> top)) & width
        if w + 1 < W:
            right = row[w + 1]
        else:
            z = row[0]
            right = ((z >> _ONE) | (z << top)) & width
        # aligned neighbours a = 4 b2 + 2 b1 + b0, added bit-parallel
        x1 = ~(up ^ above[w])
        x2 = ~(up ^ below[w])
        x3 = ~(up ^ left)
        x4 = ~(up ^ right)
        p1 = x1 ^ x2
        c1 = x1 & x2
        p2 = x3 ^ x4
        c2 = x3 & x4
        b0 = p1 ^ p2
        c3 = p1 & p2
        b1 = c1 ^ c2 ^ c3
        b2 = c1 & c2
        a0 = ~(b2 | b1 | b0)
        a1 = ~b1 & b0
        a2 = b1 & ~b0
        a3 = b1 & b0
        a4 = b2
        g0 = _class_union(members[0], a0, a1, a2, a3, a4, up) & width
        g1 = _class_union(members[1], a0, a1, a2, a3, a4, up) & width
        g2 = np.uint64(0)
        g3 = np.uint64(0)
        g4 = np.uint64(0)
        if n_groups > 2:
            g2 = _class_union(members[2], a0, a1, a2, a3, a4, up) & width
            g3 = _class_union(members[3], a0, a1, a2, a3, a4, up) & width
            g4 = _class_union(members[4], a0, a1, a2, a3, a4, up) & width
        undecided = g0 | g1 | g2 | g3 | g4
        accept = width & ~undecided  # every other class is always accepted
        bit = np.uint64(63)
        while undecided:
            r, s0, s1, s2, s3 = rng.xoshiro_step(s0, s1, s2, s3)
            threshold_bits = _digit(g0, t0, bit) | _digit(g1, t1, bit)
            if n_groups > 2:
                threshold_bits |= _digit(g2, t2, bit) | _digit(g3, t3, bit) | _digit(g4, t4, bit)
            accept |= undecided & ~r & threshold_bits
            undecided &= r ^ ~threshold_bits
            if bit == 0:
                break  # U equals the threshold in all 64 bits: not below it
            bit -= _ONE
        row[w] = up ^ accept
        flips += _popcount(accept)
    states[i, 0], states[i, 1], states[i, 2], states[i, 3] = s0, s1, s2, s3
    return flips


@njit(cache=True)
def _packed_sweeps(packed, B, thresholds, members, n_groups, states, n_sweeps):
    L = packed.shape[0]
    flips = 0
    for _ in range(n_sweeps):
        for colour in range(2):
            for i in range(L):
                flips += _packed_half_row(packed, i, colour, B, thresholds, members, n_groups, states)
    return flips


@njit(cache=True)
def _band(packed, start, stop, steps, B, thresholds, members, n_groups, states):
    # Half-sweep t on rows start + t .. stop - t - 1, for t < steps: what a band of rows can
    # do without its neighbours' help.
    flips = 0
    for t in range(steps):
        for i in range(start + t, stop - t):
            flips += _packed_half_row(packed, i, t & 1, B, thresholds, members, n_groups, states)
    return flips


@njit(cache=True)
def _edge(packed, edge, steps, B, thresholds, members, n_groups, states):
    # The rest: half-sweep t on the t rows either side of the boundary above row `edge`.
    L = packed.shape[0]
    flips = 0
    for t in range(1, steps):
        for i in range(edge - t, edge + t):
            row = i + L if i < 0 else i
            flips += _packed_half_row(packed, row, t & 1, B, thresholds, members, n_groups, states)
    return flips


@njit(cache=True, parallel=True)
def _packed_sweeps_parallel(packed, B, thresholds, members, n_groups, states, n_sweeps, n_blocks, depth):
    # Rows are split into n_blocks bands, one per thread. Half-sweep t of row i needs only
    # half-sweep t - 1 of rows i - 1, i and i + 1, so `depth` sweeps run per fork-join: each
    # band first does the trapezoid it can do alone (half-sweep t on all but its t outermost
    # rows at either end), then each boundary fills in its triangle (half-sweep t on the t
    # rows either side of it). Every row still sees its half-sweeps in order, with the same
    # neighbour values, and draws from its own stream: the lattice is bit-identical to
    # _packed_sweeps whatever the number of threads. Needs 4 depth + 2 <= L // n_blocks.
    L = packed.shape[0]
    flips = 0
    done = 0
    while done < n_sweeps:
        steps = 2 * min(depth, n_sweeps - done)
        for b in prange(n_blocks):
            flips += _band(
                packed,
                b * L // n_blocks,
                (b + 1) * L // n_blocks,
                steps,
                B,
                thresholds,
                members,
                n_groups,
                states,
            )
        for b in prange(n_blocks):
            flips += _edge(packed, b * L // n_blocks, steps, B, thresholds, members, n_groups, states)
        done += steps // 2
    return flips


@njit(cache=True)
def _site_sweeps(spins, always, thresholds, states, n_sweeps):
    # Odd L: sites of one colour in turn, row i drawing from stream i, one U64 per site.
    L = spins.shape[0]
    flips = 0
    for _ in range(n_sweeps):
        for colour in range(2):
            for i in range(L):
                above = spins[i - 1 if i > 0 else L - 1]
                below = spins[i + 1 if i + 1 < L else 0]
                row = spins[i]
                for j in range((i + colour) & 1, L, 2):
                    s = np.int64(row[j])
                    nb = np.int64(above[j]) + np.int64(below[j])
                    nb += np.int64(row[j - 1 if j > 0 else L - 1]) + np.int64(row[j + 1 if j + 1 < L else 0])
                    c = 5 * ((s + 1) // 2) + (s * nb + 4) // 2
                    u = rng.next_uint64(states, i)
                    if (always >> c) & 1 or u < thresholds[c]:
                        row[j] = -s
                        flips += 1
    return flips


@njit(cache=True)
def _packed_bonds_and_total(packed, B):
    # sum_<ij> s_i s_j (right and down bonds) and sum_i s_i of a packed lattice
    L, W = packed.shape
    width = _ALL_BITS if B == 64 else (_ONE << np.uint64(B)) - _ONE
    top = np.uint64(B - 1)
    ups = 0
    unlike = 0
    for i in range(L):
        row = packed[i]
        below = packed[i + 1 if i + 1 < L else 0]
        for w in range(W):
            if w + 1 < W:
                right = row[w + 1]
            else:
                z = row[0]
                right = ((z >> _ONE) | (z << top)) & width
            ups += _popcount(row[w])
            unlike += _popcount(row[w] ^ right) + _popcount(row[w] ^ below[w])
    n = L * L
    return 2 * n - 2 * unlike, 2 * ups - n


class _Metropolis:
    """A lattice, its streams and acceptance table, ready to sweep (packed when L is even)."""

    def __init__(self, spins, T, J, h, seed):
        self.spins = spins
        L = spins.shape[0]
        self.always, self.thresholds = _acceptance_table(T, J, h)
        self.states = rng.stream_states(seed, L)
        self.packed = L % 2 == 0
        if self.packed:
            self.W, self.B = _word_layout(L)
            self.words = _pack(spins, self.W)
            self.groups = _threshold_groups(self.always, self.thresholds)

    def sweep(self, n_sweeps, parallel=False):
        """n_sweeps sweeps; returns the number of accepted flips."""
        if not self.packed:
            return _site_sweeps(self.spins, self.always, self.thresholds, self.states, n_sweeps)
        thresholds, members, n_groups = self.groups
        args = (self.words, self.B, thresholds, members, n_groups, self.states, n_sweeps)
        L = self.words.shape[0]
        n_blocks = min(numba.get_num_threads(), L // 8)
        if parallel and n_blocks >= 2:
            depth = max(1, min(16, (L // n_blocks - 2) // 4))
            return _packed_sweeps_parallel(*args, n_blocks, depth)
        return _packed_sweeps(*args)

    def series(self, J, h, energies, magnetizations):
        """One sweep before each measurement of E and M, for len(energies) measurements."""
        if self.packed:
            thresholds, members, n_groups = self.groups
            _packed_series(
                self.words,
                self.B,
                thresholds,
                members,
                n_groups,
                self.states,
                J,
                h,
                energies,
                magnetizations,
            )
        else:
            _site_series(
                self.spins, self.always, self.thresholds, self.states, J, h, energies, magnetizations
            )

    def snapshots(self, spacing, out):
        """Store the lattice in out[t] after every `spacing` sweeps."""
        if self.packed:
            thresholds, members, n_groups = self.groups
            _packed_snapshots(self.words, self.B, thresholds, members, n_groups, self.states, spacing, out)
        else:
            _site_snapshots(self.spins, self.always, self.thresholds, self.states, spacing, out)

    def store(self):
        """Write the packed lattice back into ``spins``."""
        if self.packed:
            _unpack(self.words, self.spins)


def _temperature(T):
    return _validate.positive_scalar("T", T)


def metropolis(spins, T, n_sweeps, seed=None, J=1.0, h=0.0, *, parallel=False):
    """Checkerboard Metropolis sweeps, in place; returns the acceptance rate.

    One sweep attempts to flip every spin once: first all sites with (i + j) even, then
    all with (i + j) odd. A flip costing dE = 2 s_i (J sum_nb s_j + h) is accepted with
    probability min(1, exp(-dE / T)) (to within 2^-64), which satisfies detailed balance
    with respect to p(s) ~ exp(-E(s) / T).

    For even L the lattice is updated 64 sites at a time in bit-parallel arithmetic
    (multi-spin coding; see the comment above :func:`_acceptance_table` in the source).

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        Values +-1; updated in place.
    T : float
        Temperature, > 0.
    n_sweeps : int
        >= 0.
    seed : int, numpy.random.Generator or None
        Row i draws from stream i of ``rng.stream_states(seed, L)``.
    J, h : float
        Coupling and field.
    parallel : bool
        Split the rows into one band per thread (needs even L). Gives exactly the same
        lattice as ``parallel=False`` for the same seed, on any number of threads.

    Returns
    -------
    float
        Accepted flips / attempted flips.
    """
    spins = _check_spins(spins, writable=True)
    T = _temperature(T)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    J, h = _real("J", J), _real("h", h)
    L = spins.shape[0]
    if parallel and L % 2:
        raise ValueError(
            f"parallel=True needs an even L (colours must alternate across the boundary), got L = {L}"
        )
    if n_sweeps == 0:
        return 0.0
    sampler = _Metropolis(spins, T, J, h, seed)
    accepted = sampler.sweep(n_sweeps, parallel)
    sampler.store()
    return accepted / (n_sweeps * spins.size)


def metropolis_snapshots(spins, T, n_snapshots, spacing, seed=None, J=1.0, h=0.0):
    """A Metropolis chain's configuration every ``spacing`` sweeps, from ``spins`` (in place).

    The same chain as ``metropolis(spins, T, n_snapshots * spacing, seed, J, h)`` (the same
    final lattice for the same seed), with a copy of the lattice kept after every ``spacing``
    sweeps, all in one compiled loop: the way to turn a chain into a data set.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        The starting lattice, +-1; left holding the last snapshot.
    T : float
        Temperature, > 0.
    n_snapshots : int
        >= 0.
    spacing : int
        Sweeps before each snapshot, >= 1.
    seed, J, h
        As for :func:`metropolis`.

    Returns
    -------
    ndarray of shape (n_snapshots, L, L), dtype int8
    """
    spins = _check_spins(spins, writable=True)
    T = _temperature(T)
    n_snapshots = _validate.count("n_snapshots", n_snapshots)
    spacing = _validate.count("spacing", spacing)
    if spacing < 1:
        raise ValueError(f"spacing must be >= 1 sweep, got {spacing}")
    J, h = _real("J", J), _real("h", h)
    out = np.empty((n_snapshots,) + spins.shape, dtype=np.int8)
    if n_snapshots:
        sampler = _Metropolis(spins, T, J, h, seed)
        sampler.snapshots(spacing, out)
        sampler.store()
    return out


# ---------------------------------------------------------------------------------------
# Wolff


@njit(cache=True)
def _wolff_clusters(spins, p_add, states, n_clusters, stack):
    # Grow a cluster from a random seed site: each neighbour with the cluster's spin joins
    # with probability p_add = 1 - exp(-2J/T) and is flipped as it joins (so it is never
    # visited twice). Flipping the whole cluster is always accepted (h = 0).
    L = spins.shape[0]
    n = L * L
    total = 0
    for _ in range(n_clusters):
        site = min(int(rng.next_double(states, 0) * n), n - 1)
        i0 = site // L
        j0 = site - i0 * L
        s = spins[i0, j0]
        spins[i0, j0] = -s
        stack[0] = site
        top = 1
        size = 1
        while top > 0:
            top -= 1
            site = stack[top]
            i = site // L
            j = site - i * L
            for k in range(4):
                if k == 0:
                    ni, nj = (i - 1 if i > 0 else L - 1), j
                elif k == 1:
                    ni, nj = (i + 1 if i + 1 < L else 0), j
                elif k == 2:
                    ni, nj = i, (j - 1 if j > 0 else L - 1)
                else:
                    ni, nj = i, (j + 1 if j + 1 < L else 0)
                if spins[ni, nj] == s and rng.next_double(states, 0) < p_add:
                    spins[ni, nj] = -s
                    stack[top] = ni * L + nj
                    top += 1
                    size += 1
        total += size
    return total


def wolff(spins, T, n_clusters, seed=None, J=1.0):
    """Wolff single-cluster updates at zero field, in place; returns the mean cluster size.

    Parameters
    ----------
    spins : ndarray of shape (L, L), dtype int8
        Values +-1; updated in place.
    T : float
        Temperature, > 0.
    n_clusters : int
        Number of clusters to grow and flip, >= 0.
    seed : int, numpy.random.Generator or None
    J : float
        Ferromagnetic coupling, > 0.

    Returns
    -------
    float
        Mean number of spins per cluster (0.0 for no clusters).

    References
    ----------
    U. Wolff, "Collective Monte Carlo updating for spin systems", Phys. Rev. Lett. 62, 361 (1989).
    """
    spins = _check_spins(spins, writable=True)
    T = _temperature(T)
    n_clusters = _validate.count("n_clusters", n_clusters)
    J = _validate.positive_scalar("J", J)
    if n_clusters == 0:
        return 0.0
    stack = np.empty(spins.size, dtype=np.int64)
    total = _wolff_clusters(spins, 1.0 - np.exp(-2.0 * J / T), rng.stream_states(seed, 1), n_clusters, stack)
    return total / n_clusters


# ---------------------------------------------------------------------------------------
# Simulation with error bars


@njit(cache=True)
def _packed_series(packed, B, thresholds, members, n_groups, states, J, h, energies, magnetizations):
    # One sweep between measurements of E and M.
    for t in range(energies.shape[0]):
        _packed_sweeps(packed, B, thresholds, members, n_groups, states, 1)
        bonds, total = _packed_bonds_and_total(packed, B)
        energies[t] = -J * bonds - h * total
        magnetizations[t] = total


@njit(cache=True)
def _packed_snapshots(packed, B, thresholds, members, n_groups, states, spacing, out):
    # `spacing` sweeps before each stored lattice
    for t in range(out.shape[0]):
        _packed_sweeps(packed, B, thresholds, members, n_groups, states, spacing)
        _unpack(packed, out[t])


@njit(cache=True)
def _site_snapshots(spins, always, thresholds, states, spacing, out):
    for t in range(out.shape[0]):
        _site_sweeps(spins, always, thresholds, states, spacing)
        out[t] = spins


@njit(cache=True)
def _site_series(spins, always, thresholds, states, J, h, energies, magnetizations):
    for t in range(energies.shape[0]):
        _site_sweeps(spins, always, thresholds, states, 1)
        bonds, total = _bond_sum_and_magnetization(spins)
        energies[t] = -J * bonds - h * total
        magnetizations[t] = total


@njit(cache=True)
def _wolff_flip_budget(spins, p_add, states, budget, stack):
    # Grow clusters until at least `budget` spins have been flipped; (clusters, flipped).
    clusters = 0
    flipped = 0
    while flipped < budget:
        flipped += _wolff_clusters(spins, p_add, states, 1, stack)
        clusters += 1
    return clusters, flipped


@njit(cache=True)
def _wolff_series(spins, p_add, states, n_measure, clusters_per_measure, J, stack, energies, magnetizations):
    flipped = 0
    for t in range(n_measure):
        flipped += _wolff_clusters(spins, p_add, states, clusters_per_measure, stack)
        bonds, total = _bond_sum_and_magnetization(spins)
        energies[t] = -J * bonds
        magnetizations[t] = total
    return flipped


@dataclass
class SimulationResult:
    """Per-temperature averages from :func:`simulate`, each with its error bar (``*_err``).

    All arrays have shape (n_temperatures,). Per-spin quantities use N = L^2:
    ``energy`` = <E>/N, ``abs_magnetization`` = <|M|>/N,
    ``specific_heat`` = (<E^2> - <E>^2) / (N T^2),
    ``susceptibility`` = (<M^2> - <|M|>^2) / (N T),
    ``binder`` = 1 - <M^4> / (3 <M^2>^2), and ``tau_abs_m``, the integrated
    autocorrelation time of |M| in sweeps (1/2 for independent samples).
    ``series`` holds the E and M time series per temperature when asked for.
    """

    L: int
    algorithm: str
    temperatures: np.ndarray
    energy: np.ndarray
    energy_err: np.ndarray
    abs_magnetization: np.ndarray
    abs_magnetization_err: np.ndarray
    specific_heat: np.ndarray
    specific_heat_err: np.ndarray
    susceptibility: np.ndarray
    susceptibility_err: np.ndarray
    binder: np.ndarray
    binder_err: np.ndarray
    tau_abs_m: np.ndarray
    series: list | None = None


def _series_at(L, T, n_equilibrate, n_measure, algorithm, seed, J):
    """E and M after each sweep (Metropolis) or each sweep's worth of clusters (Wolff)."""
    generator = rng.as_generator(seed)
    spins = ordered_spins(L) if T < T_C else random_spins(L, seed=generator)
    energies = np.empty(n_measure)
    magnetizations = np.empty(n_measure)
    if algorithm == "metropolis":
        sampler = _Metropolis(spins, T, J, 0.0, generator)
        sampler.sweep(n_equilibrate)
        sampler.series(J, 0.0, energies, magnetizations)
    else:
        p_add = 1.0 - np.exp(-2.0 * J / T)
        states = rng.stream_states(generator, 1)
        stack = np.empty(L * L, dtype=np.int64)
        # Equilibrate for n_equilibrate sweeps' worth of flipped spins, then learn the mean
        # cluster size at equilibrium from ten more, so that one measurement is about one
        # sweep (L^2 flipped spins) whatever the temperature.
        _wolff_flip_budget(spins, p_add, states, n_equilibrate * L * L, stack)
        clusters, flipped = _wolff_flip_budget(spins, p_add, states, 10 * L * L, stack)
        per_measure = max(1, round(clusters * L * L / flipped))
        _wolff_series(spins, p_add, states, n_measure, per_measure, J, stack, energies, magnetizations)
    return energies, magnetizations


_OBSERVABLES = tuple(
    name + suffix
    for name in ("energy", "abs_magnetization", "specific_heat", "susceptibility", "binder")
    for suffix in ("", "_err")
)


def series_observables(energies, magnetizations, T, n_spins):
    """Per-spin averages with error bars from series of E and M (J = 1 units, N = ``n_spins``).

    The definitions of :class:`SimulationResult`: <E>/N and <|M|>/N with blocking errors
    (:func:`bmlib.stats.blocking_error`), and specific heat (<E^2> - <E>^2) / (N T^2),
    susceptibility (<M^2> - <|M|>^2) / (N T) and Binder cumulant 1 - <M^4> / (3 <M^2>^2) with
    32-block jackknife errors (:func:`bmlib.stats.jackknife`). Used by :func:`simulate` and by
    :func:`bmlib.datasets.ising_observables`, so Monte Carlo and model samples are measured alike.

    Returns
    -------
    dict
        ``energy``, ``abs_magnetization``, ``specific_heat``, ``susceptibility``, ``binder``,
        each with its ``*_err``.
    """
    energies = np.asarray(energies, dtype=np.float64)
    magnetizations = np.asarray(magnetizations, dtype=np.float64)

    def specific_heat(e):
        return e.var() / (n_spins * T**2)

    def susceptibility(m):
        return (np.mean(m**2) - np.mean(np.abs(m)) ** 2) / (n_spins * T)

    def binder(m):
        m2 = np.mean(m**2)
        return 1.0 - np.mean(m**4) / (3.0 * m2**2) if m2 > 0 else 0.0

    e, a = energies / n_spins, np.abs(magnetizations) / n_spins
    result = {
        "energy": e.mean(),
        "energy_err": stats.blocking_error(e),
        "abs_magnetization": a.mean(),
        "abs_magnetization_err": stats.blocking_error(a),
    }
    for name, estimator, series in [
        ("specific_heat", specific_heat, energies),
        ("susceptibility", susceptibility, magnetizations),
        ("binder", binder, magnetizations),
    ]:
        result[name], result[name + "_err"] = stats.jackknife(estimator, series)
    return result


def simulate(
    L,
    temperatures,
    n_equilibrate,
    n_measure,
    algorithm="metropolis",
    seed=None,
    J=1.0,
    *,
    keep_series=False,
    verbose="auto",
):
    """Equilibrate and measure an L x L lattice at each temperature; averages with error bars.

    Each temperature starts afresh (ordered below T_C, random above), equilibrates for
    ``n_equilibrate`` sweeps and then records E and M after each of ``n_measure`` sweeps.
    For Wolff a "sweep" is as many clusters as flip L^2 spins on average, so the
    autocorrelation times of the two algorithms are in the same unit.

    Error bars: blocking for <E>/N and <|M|>/N; a 32-block jackknife for the specific heat,
    susceptibility and Binder cumulant. They are honest only when n_measure is many times
    the autocorrelation time (reported as ``tau_abs_m``).

    Parameters
    ----------
    L : int
        Side of the lattice, >= 2 (even for Metropolis checkerboard).
    temperatures : array_like of shape (n_temperatures,)
        Each > 0.
    n_equilibrate, n_measure : int
        Sweeps to discard and to measure; n_measure >= 64.
    algorithm : {"metropolis", "wolff"}
    seed : int, numpy.random.Generator or None
        Temperature k uses an independent stream derived from the seed.
    J : float
        Coupling, > 0 (zero field).
    keep_series : bool
        Also return the (E, M) series per temperature in ``result.series``.
    verbose : bool or "auto"
        Show a progress line over temperatures; "auto" shows it only when someone is
        watching (a terminal or an interactive notebook; never under nbval).

    Returns
    -------
    SimulationResult
    """
    L = _lattice_size(L)
    temperatures = _validate.vector("temperatures", temperatures)
    if np.any(temperatures <= 0):
        raise ValueError(f"temperatures must all be > 0, got {temperatures}")
    n_equilibrate = _validate.count("n_equilibrate", n_equilibrate)
    n_measure = _validate.count("n_measure", n_measure)
    if n_measure < 64:
        raise ValueError(f"n_measure must be >= 64 for error bars from blocks, got {n_measure}")
    if algorithm not in ("metropolis", "wolff"):
        raise ValueError(f"algorithm must be 'metropolis' or 'wolff', got {algorithm!r}")
    J = _validate.positive_scalar("J", J)
    n = L * L
    # one independent generator per temperature, so a temperature's result does not depend
    # on which other temperatures are in the list
    children = rng.seed_sequence(seed).spawn(len(temperatures))
    rows, series = [], []
    progress = Progress(len(temperatures), f"L = {L} {algorithm}: temperature", verbose)
    for T, child in zip(temperatures, children, strict=True):
        e_series, m_series = _series_at(
            L, float(T), n_equilibrate, n_measure, algorithm, np.random.default_rng(child), J
        )
        averages = series_observables(e_series, m_series, float(T), n)
        rows.append(
            (
                *(averages[name] for name in _OBSERVABLES),
                stats.integrated_autocorrelation_time(np.abs(m_series)),
            )
        )
        if keep_series:
            series.append((e_series, m_series))
        progress.update(f"T = {T:.3f}")
    progress.close()
    columns = np.array(rows).T
    return SimulationResult(L, algorithm, temperatures, *columns, series=series if keep_series else None)


# ---------------------------------------------------------------------------------------
# Exact results


def _onsager_variables(T, J):
    """K = J/T, the elliptic modulus k = 2 sinh(2K) / cosh^2(2K) (1 at T_C) and t = tanh(2K)."""
    J = _validate.positive_scalar("J", J)
    K = J / np.asarray(_validate.positive("T", T), dtype=np.float64)
    return J, K, 2.0 * np.sinh(2 * K) / np.cosh(2 * K) ** 2, np.tanh(2 * K)


def _scalar_or_array(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _elliptic():
    """scipy.special's complete elliptic integrals (K, E), imported on first use: scipy.special
    takes about 0.2 s to import, which every notebook kernel would otherwise pay at start-up."""
    from scipy.special import ellipe, ellipk

    return ellipk, ellipe


def onsager_energy(T, J=1.0):
    """Energy per spin of the infinite lattice (Onsager 1944), zero field.

    u = -J coth(2K) [1 + (2/pi) (2 tanh^2(2K) - 1) K1(k)], K = J/T,
    k = 2 sinh(2K) / cosh^2(2K), K1 the complete elliptic integral of the first kind.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, k, t = _onsager_variables(T, J)
    with np.errstate(invalid="ignore"):
        u = -J / t * (1.0 + 2.0 / np.pi * (2.0 * t**2 - 1.0) * _elliptic()[0](np.minimum(k, 1.0) ** 2))
    # at T_C, k = 1 and K1 diverges but 2 tanh^2(2K) - 1 = 0: the product vanishes, u = -sqrt(2) J
    return _scalar_or_array(np.where(k >= 1.0, -J / t, u))


def onsager_specific_heat(T, J=1.0):
    """Specific heat per spin of the infinite lattice (k_B = 1), zero field.

    c = (4/pi) (K coth 2K)^2 {K1(k) - E1(k) - (1 - tanh^2 2K) [pi/2 + (2 tanh^2 2K - 1) K1(k)]},
    K = J/T, k = 2 sinh(2K) / cosh^2(2K), K1 and E1 the complete elliptic integrals of the
    first and second kind: the temperature derivative of :func:`onsager_energy` (the tests
    check it against a finite difference). It diverges logarithmically at T_C, where this
    returns inf.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, k, t = _onsager_variables(T, J)
    with np.errstate(divide="ignore", invalid="ignore"):
        ellipk, ellipe = _elliptic()
        first = ellipk(k**2)
        second = ellipe(k**2)
        bracket = first - second - (1 - t**2) * (np.pi / 2 + (2 * t**2 - 1) * first)
        c = 4.0 / np.pi * (K / t) ** 2 * bracket
    return _scalar_or_array(np.where(k >= 1.0, np.inf, c))


def onsager_magnetization(T, J=1.0):
    """Spontaneous magnetisation per spin of the infinite lattice (Yang 1952).

    m = (1 - sinh(2J/T)^-4)^(1/8) below T_C, and 0 at and above it.

    Parameters
    ----------
    T : float or ndarray
        > 0.
    J : float
        > 0.

    Returns
    -------
    float or ndarray
    """
    J, K, _, _ = _onsager_variables(T, J)
    inner = 1.0 - np.sinh(2 * K) ** -4.0
    m = np.where(inner > 0, np.maximum(inner, 0.0) ** 0.125, 0.0)
    return _scalar_or_array(m)


@functools.cache
def _density_of_states(L):
    """Distinct (bond sum, magnetisation) pairs of an L x L lattice and how many states have each.

    Computed once per L by enumerating all 2^(L*L) states; every thermal average is then a
    sum over a few hundred classes instead of 65,536 states.
    """
    spins = (2 * exact.binary_states(L * L).astype(np.int64) - 1).reshape(-1, L, L)
    bonds = (spins * (np.roll(spins, -1, axis=1) + np.roll(spins, -1, axis=2))).sum(axis=(1, 2))
    M = spins.sum(axis=(1, 2))
    pairs, counts = np.unique(np.stack([bonds, M], axis=1), axis=0, return_counts=True)
    return pairs[:, 0].astype(np.float64), pairs[:, 1].astype(np.float64), counts.astype(np.float64)


@dataclass(frozen=True)
class ExactDistribution:
    """The Boltzmann distribution of a small lattice, state by state (see :func:`exact_distribution`)."""

    probabilities: np.ndarray
    """p(s) = exp(-E(s)/T) / Z of every state, shape (2^(L*L),)."""
    energy: np.ndarray
    """E(s) of every state."""
    magnetization: np.ndarray
    """M(s) = sum_i s_i of every state."""


def exact_distribution(L, T, J=1.0, h=0.0):
    """The Boltzmann distribution of an L x L periodic lattice over all its 2^(L*L) states.

    State k has spin s = 2 v - 1 at site (i, j), where v is bit i * L + j of k: the order of
    :func:`bmlib.exact.states_by_code` for the visible units of
    :func:`bmlib.datasets.spins_to_visible`, so the probabilities line up entry by entry with
    :func:`bmlib.rbm.visible_distribution` of an RBM trained on that data.

    Parameters
    ----------
    L : int
        2, 3 or 4 (4 x 4 has 65,536 states).
    T : float
        > 0.
    J, h : float

    Returns
    -------
    ExactDistribution
        ``probabilities``, ``energy`` and ``magnetization`` of every state.
    """
    L = _lattice_size(L)
    if L > 4:
        raise ValueError(f"L must be <= 4 for enumeration (2^(L*L) states), got {L}")
    T = _temperature(T)
    J, h = _real("J", J), _real("h", h)
    spins = (2 * exact.states_by_code(L * L).astype(np.int64) - 1).reshape(-1, L, L)
    bonds = (spins * (np.roll(spins, -1, axis=1) + np.roll(spins, -1, axis=2))).sum(axis=(1, 2))
    M = spins.sum(axis=(1, 2)).astype(np.float64)
    E = -J * bonds.astype(np.float64) - h * M
    log_weights = -E / T
    probabilities = np.exp(log_weights - stats.logsumexp(log_weights))
    return ExactDistribution(probabilities=probabilities, energy=E, magnetization=M)


def exact_observables(L, T, J=1.0, h=0.0):
    """Exact thermal averages of an L x L periodic lattice by enumerating all 2^(L*L) states.

    The same quantities, with the same definitions, as :class:`SimulationResult`.

    Parameters
    ----------
    L : int
        2, 3 or 4 (4 x 4 has 65,536 states).
    T : float
        > 0.
    J, h : float

    Returns
    -------
    dict
        ``energy`` (<E>/N), ``abs_magnetization`` (<|M|>/N), ``specific_heat``,
        ``susceptibility``, ``binder``, ``log_partition`` (log Z), and ``m2`` (<M^2>/N^2).
    """
    L = _lattice_size(L)
    if L > 4:
        raise ValueError(f"L must be <= 4 for enumeration (2^(L*L) states), got {L}")
    T = _temperature(T)
    J, h = _real("J", J), _real("h", h)
    n = L * L
    bonds, M, counts = _density_of_states(L)
    E = -J * bonds - h * M
    log_weights = np.log(counts) - E / T
    log_Z = stats.logsumexp(log_weights)
    p = np.exp(log_weights - log_Z)
    mean_E, mean_abs_M = p @ E, p @ np.abs(M)
    m2, m4 = p @ M**2, p @ M**4
    return {
        "energy": mean_E / n,
        "abs_magnetization": mean_abs_M / n,
        "specific_heat": (p @ E**2 - mean_E**2) / (n * T**2),
        "susceptibility": (m2 - mean_abs_M**2) / (n * T),
        "binder": 1.0 - m4 / (3.0 * m2**2),
        "log_partition": log_Z,
        "m2": m2 / n**2,
    }


# ---------------------------------------------------------------------------------------
# Spin glasses and annealing


def _check_couplings(J_matrix, h):
    J_matrix = _validate.real_array("J_matrix", J_matrix)
    if J_matrix.ndim != 2 or J_matrix.shape[0] != J_matrix.shape[1] or J_matrix.shape[0] < 1:
        raise ValueError(f"J_matrix must be a square matrix of shape (n, n), got shape {J_matrix.shape}")
    if not np.allclose(J_matrix, J_matrix.T, rtol=1e-12, atol=1e-12):
        raise ValueError("J_matrix must be symmetric (J_ij = J_ji)")
    if np.any(np.diag(J_matrix) != 0):
        raise ValueError("J_matrix must have a zero diagonal (no self-coupling)")
    n = J_matrix.shape[0]
    h = np.zeros(n) if h is None else _validate.real_array("h", h)
    if h.ndim == 0:
        h = np.full(n, float(h))
    if h.shape != (n,):
        raise ValueError(f"h must be a number or have shape ({n},), got shape {h.shape}")
    return np.ascontiguousarray(J_matrix), h


def _check_state(state, n):
    state = np.asarray(state)
    if state.shape != (n,):
        raise ValueError(f"spins must have shape ({n},), got {state.shape}")
    if not np.all((state == 1) | (state == -1)):
        raise ValueError("spins must hold only -1 and +1")
    return state.astype(np.int8)


def couplings_energy(spins, J_matrix, h=None):
    """E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i for any symmetric coupling matrix.

    Parameters
    ----------
    spins : array_like of shape (n,) or (n_states, n)
        Values -1 and +1.
    J_matrix : ndarray of shape (n, n)
        Symmetric, zero diagonal.
    h : float or ndarray of shape (n,), optional

    Returns
    -------
    float or ndarray of shape (n_states,)
    """
    J_matrix, h = _check_couplings(J_matrix, h)
    spins = np.asarray(spins)
    if spins.shape[-1:] != (J_matrix.shape[0],) or spins.ndim > 2:
        raise ValueError(
            f"spins must have shape (n,) or (n_states, n) with n = {J_matrix.shape[0]}, got {spins.shape}"
        )
    if not np.all((spins == 1) | (spins == -1)):
        raise ValueError("spins must hold only -1 and +1")
    s = spins.astype(np.float64)
    value = -0.5 * np.einsum("...i,ij,...j->...", s, J_matrix, s) - s @ h
    return float(value) if np.ndim(value) == 0 else value


def geometric_schedule(T_start, T_end, n_sweeps):
    """Temperatures falling geometrically from ``T_start`` to ``T_end``, one per sweep.

    Returns
    -------
    ndarray of shape (n_sweeps,)
    """
    T_start = _validate.positive_scalar("T_start", T_start)
    T_end = _validate.positive_scalar("T_end", T_end)
    n_sweeps = _validate.count("n_sweeps", n_sweeps)
    if n_sweeps < 1:
        raise ValueError("n_sweeps must be >= 1")
    return np.geomspace(T_start, T_end, n_sweeps)


@dataclass
class AnnealResult:
    """Outcome of :func:`anneal`.

    Attributes
    ----------
    spins : ndarray of shape (n,), int8
        The lowest-energy state met during the run.
    energy : float
        Its energy.
    trace : ndarray of shape (n_sweeps,)
        The energy after each sweep.
    final_spins : ndarray of shape (n,), int8
        The state at the end of the schedule.
    """

    spins: np.ndarray
    energy: float
    trace: np.ndarray
    final_spins: np.ndarray


@njit(cache=True)
def _anneal_kernel(spins, J_matrix, h, schedule, heat_bath, states, trace, best):
    # Sequential sweeps over i. Local field f_i = sum_j J_ij s_j + h_i; flipping s_i costs
    # dE = 2 s_i f_i. Metropolis accepts with min(1, exp(-dE/T)); heat-bath sets s_i = +1
    # with probability sigmoid(2 f_i / T) whatever it was. At T = 0 both become greedy descent.
    n = spins.size
    field = J_matrix @ spins.astype(np.float64) + h
    E = -0.5 * np.dot(spins.astype(np.float64), field - h) - np.dot(spins.astype(np.float64), h)
    best_E = E
    best[:] = spins
    for sweep in range(schedule.size):
        T = schedule[sweep]
        for i in range(n):
            s = spins[i]
            delta = 2.0 * s * field[i]
            if heat_bath:
                if T > 0.0:
                    p_up = stats.sigmoid(2.0 * field[i] / T)
                    new = 1 if rng.next_double(states, 0) < p_up else -1
                else:
                    new = 1 if field[i] > 0 else (-1 if field[i] < 0 else s)
                flip = new != s
            elif delta <= 0.0:
                flip = True
            elif T > 0.0:
                flip = rng.next_double(states, 0) < np.exp(-delta / T)
            else:
                flip = False
            if flip:
                spins[i] = -s
                E += delta
                for j in range(n):
                    field[j] -= 2.0 * s * J_matrix[j, i]
                if E < best_E - 1e-12:
                    best_E = E
                    best[:] = spins
        trace[sweep] = E
    return best_E


def anneal(J_matrix, h, schedule, seed=None, *, spins=None, method="metropolis"):
    """Simulated annealing on E(s) = -sum_{i<j} J_ij s_i s_j - sum_i h_i s_i, s_i = +-1.

    One sequential sweep over all spins per temperature of ``schedule``. The lowest energy
    met is tracked exactly (E is updated with every accepted flip), and returned with its
    state. A schedule of zeros is a quench: greedy descent into the nearest local minimum.

    Parameters
    ----------
    J_matrix : ndarray of shape (n, n)
        Symmetric couplings with zero diagonal.
    h : float, ndarray of shape (n,) or None
        External fields (None for zero).
    schedule : array_like of shape (n_sweeps,)
        Temperatures, >= 0, usually decreasing (see :func:`geometric_schedule`).
    seed : int, numpy.random.Generator or None
    spins : array_like of shape (n,), optional
        Starting state (default: random, from the seed). Not modified.
    method : {"metropolis", "heat-bath"}

    Returns
    -------
    AnnealResult
    """
    J_matrix, h = _check_couplings(J_matrix, h)
    schedule = _validate.vector("schedule", schedule)
    if np.any(schedule < 0):
        raise ValueError("schedule temperatures must be >= 0")
    if method not in ("metropolis", "heat-bath"):
        raise ValueError(f"method must be 'metropolis' or 'heat-bath', got {method!r}")
    n = J_matrix.shape[0]
    generator = rng.as_generator(seed)
    if spins is None:
        state = (2 * generator.integers(0, 2, size=n) - 1).astype(np.int8)
    else:
        state = _check_state(spins, n).copy()
    trace = np.empty(schedule.size)
    best = np.empty(n, dtype=np.int8)
    states = rng.stream_states(generator, 1)
    best_E = _anneal_kernel(state, J_matrix, h, schedule, method == "heat-bath", states, trace, best)
    return AnnealResult(spins=best, energy=float(best_E), trace=trace, final_spins=state)
