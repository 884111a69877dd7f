"""The fast Metropolis kernels behind :func:`bmlib.ising.metropolis` (private: speed work).

:func:`bmlib.ising.metropolis_reference` is the readable version of the same algorithm, and
``tests/test_ising.py`` checks these kernels against it: bit for bit for odd L, where both
draw one number per site from the same streams, and by exact transition probabilities and
stationary averages for even L.

Acceptance table
----------------
A site whose spin s has a aligned neighbours (a = 0..4, so s * sum_nb s_j = 2a - 4) is in
class c = 5 [s = +1] + a; flipping it costs dE = 2 J (2a - 4) + 2 h s. Metropolis accepts
with probability p = min(1, exp(-dE / T)), which satisfies detailed balance with respect to
p(s) ~ exp(-E(s) / T). A class with dE <= 0 is always accepted; any other one has the
64-bit threshold P = floor(p 2^64), and a flip is accepted when a uniform 64-bit integer
U is below P: probability P / 2^64, within 2^-64 (5e-20) of p.

Even L: multi-spin coding
-------------------------
Row i of the lattice is stored in W 64-bit words, site (i, k W + w) as bit k of word w
(B = L / W bits used per word, W even), so a word holds sites of one colour, (i + w) % 2,
and its neighbours are whole words too: the same word in the rows above and below, and
words w - 1 and w + 1 (rotated by one bit at the row's ends). The aligned-neighbour count
of all B sites is added in bit-parallel arithmetic, and U < P is decided for all of them at
once, most significant bit first: bit d of word d from the row's stream is bit d of every
site's U; a site is decided at the first bit where its U and its threshold differ (U < P if
that bit of U is 0). About log2(#undecided sites) + 1.3 random words settle a whole word of
sites, so the random numbers cost a fraction of a bit per site, and each site is accepted
with probability exactly P / 2^64 as above.

The parallel sweep splits the rows into bands, one per thread, and runs several sweeps per
fork-join (see :func:`_packed_sweeps_parallel`); every row keeps its own stream, so the
lattice is the same on any number of threads.

Odd L
-----
A colour's sites can be neighbours across the boundary, so :func:`_site_sweeps` goes site by
site in the reference's order, one 64-bit U per site from the row's stream, with the table.
"""

from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from bmlib import rng
from bmlib.ising.lattice import bond_sum_and_magnetization

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
            with np.errstate(over="ignore"):  # -dE/T = +-inf at tiny T: always, or never
                exponent = -(2.0 * J * (2 * a - 4) + 2.0 * h * s) / T
            # exp(exponent) overflows (a warning) for a large positive exponent: p >= 1 there
            p = np.exp(exponent) if exponent < 0.0 else 1.0
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


class _PackedLattice(NamedTuple):
    """A multi-spin-coded lattice and what its sweeps need, passed to the kernels as one bundle."""

    words: np.ndarray
    """(L, W) uint64: bit k of word (i, w) is 1 where spin (i, k W + w) is +1."""
    B: int
    """Bits used per word, L / W."""
    thresholds: np.ndarray
    """(5,) uint64: the distinct acceptance thresholds (:func:`_threshold_groups`)."""
    members: np.ndarray
    """(5,) int64: the classes sharing each threshold, as bit masks."""
    n_groups: int
    """How many of the 5 thresholds are in use."""
    states: np.ndarray
    """(L, 4) uint64: the xoshiro256** state of each row's stream."""


@njit(cache=True)
def _packed_half_row(lattice, i, colour):
    # Update the words of row i with colour (i + w) % 2 == colour; returns accepted flips.
    packed, B, thresholds, members, n_groups, states = lattice
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
def _packed_sweeps(lattice, n_sweeps):
    L = lattice.words.shape[0]
    flips = 0
    for _ in range(n_sweeps):
        for colour in range(2):
            for i in range(L):
                flips += _packed_half_row(lattice, i, colour)
    return flips


@njit(cache=True)
def _band(lattice, start, stop, steps):
    # Half-sweep t on rows start + t .. stop - t - 1, for t < steps: what a band of rows can
    # do without its neighbours' help.
    flips = 0
    for t in range(steps):
        for i in range(start + t, stop - t):
            flips += _packed_half_row(lattice, i, t & 1)
    return flips


@njit(cache=True)
def _edge(lattice, edge, steps):
    # The rest: half-sweep t on the t rows either side of the boundary above row `edge`.
    L = lattice.words.shape[0]
    flips = 0
    for t in range(1, steps):
        for i in range(edge - t, edge + t):
            row = i + L if i < 0 else i
            flips += _packed_half_row(lattice, row, t & 1)
    return flips


@njit(cache=True, parallel=True)
def _packed_sweeps_parallel(lattice, n_sweeps, n_blocks, depth):
    # Rows are split into n_blocks bands, one per thread. Half-sweep t of row i needs only
    # half-sweep t - 1 of rows i - 1, i and i + 1, so `depth` sweeps run per fork-join: each
    # band first does the trapezoid it can do alone (half-sweep t on all but its t outermost
    # rows at either end), then each boundary fills in its triangle (half-sweep t on the t
    # rows either side of it). Every row still sees its half-sweeps in order, with the same
    # neighbour values, and draws from its own stream: the lattice is bit-identical to
    # _packed_sweeps whatever the number of threads. Needs 4 depth + 2 <= L // n_blocks.
    # (Each prange body is a single call: Numba cannot read a NamedTuple's fields inside one.)
    L = lattice.words.shape[0]
    flips = 0
    done = 0
    while done < n_sweeps:
        steps = 2 * min(depth, n_sweeps - done)
        for b in prange(n_blocks):
            flips += _band(lattice, b * L // n_blocks, (b + 1) * L // n_blocks, steps)
        for b in prange(n_blocks):
            flips += _edge(lattice, b * L // n_blocks, steps)
        done += steps // 2
    return flips


@njit(cache=True)
def _site_sweeps(spins, always, thresholds, states, n_sweeps):
    # Odd L: sites of one colour in turn, row i drawing from stream i, one U64 per site: the
    # order and streams of metropolis_reference, with the acceptance table in place of exp.
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


@njit(cache=True)
def _packed_series(lattice, J, h, energies, magnetizations):
    # One sweep between measurements of E and M.
    for t in range(energies.shape[0]):
        _packed_sweeps(lattice, 1)
        bonds, total = _packed_bonds_and_total(lattice.words, lattice.B)
        energies[t] = -J * bonds - h * total
        magnetizations[t] = total


@njit(cache=True)
def _packed_snapshots(lattice, spacing, out):
    # `spacing` sweeps before each stored lattice
    for t in range(out.shape[0]):
        _packed_sweeps(lattice, spacing)
        _unpack(lattice.words, out[t])


@njit(cache=True)
def _site_snapshots(spins, always, thresholds, states, spacing, out):
    for t in range(out.shape[0]):
        _site_sweeps(spins, always, thresholds, states, spacing)
        out[t] = spins


@njit(cache=True)
def _site_series(spins, always, thresholds, states, J, h, energies, magnetizations):
    for t in range(energies.shape[0]):
        _site_sweeps(spins, always, thresholds, states, 1)
        bonds, total = bond_sum_and_magnetization(spins)
        energies[t] = -J * bonds - h * total
        magnetizations[t] = total


class Metropolis:
    """A lattice, its streams and acceptance table, ready to sweep (packed when L is even)."""

    def __init__(self, spins, T, J, h, seed):
        self.spins = spins
        L = spins.shape[0]
        self.always, self.thresholds = _acceptance_table(T, J, h)
        self.states = rng.stream_states(seed, L)
        self.packed = L % 2 == 0
        if self.packed:
            W, B = _word_layout(L)
            thresholds, members, n_groups = _threshold_groups(self.always, self.thresholds)
            self.lattice = _PackedLattice(_pack(spins, W), B, thresholds, members, n_groups, self.states)

    def sweep(self, n_sweeps, parallel=False):
        """n_sweeps sweeps; returns the number of accepted flips."""
        if not self.packed:
            return _site_sweeps(self.spins, self.always, self.thresholds, self.states, n_sweeps)
        L = self.spins.shape[0]
        n_blocks = min(numba.get_num_threads(), L // 8)
        if parallel and n_blocks >= 2:
            depth = max(1, min(16, (L // n_blocks - 2) // 4))
            return _packed_sweeps_parallel(self.lattice, n_sweeps, n_blocks, depth)
        return _packed_sweeps(self.lattice, n_sweeps)

    def series(self, J, h, energies, magnetizations):
        """One sweep before each measurement of E and M, for len(energies) measurements."""
        if self.packed:
            _packed_series(self.lattice, J, h, energies, magnetizations)
        else:
            _site_series(
                self.spins, self.always, self.thresholds, self.states, J, h, energies, magnetizations
            )

    def snapshots(self, spacing, out):
        """Store the lattice in out[t] after every `spacing` sweeps."""
        if self.packed:
            _packed_snapshots(self.lattice, spacing, out)
        else:
            _site_snapshots(self.spins, self.always, self.thresholds, self.states, spacing, out)

    def store(self):
        """Write the packed lattice back into ``spins``."""
        if self.packed:
            _unpack(self.lattice.words, self.spins)
