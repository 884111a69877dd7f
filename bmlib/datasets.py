"""Small data sets for Boltzmann machines and RBMs, and a reader for MNIST's IDX files.

The pattern sets (:func:`bars_and_stripes`, :func:`encoder_patterns`) return a float64 array of
shape (n_patterns, n_features) holding 0 and 1, one pattern per row, in a fixed documented order.
:func:`digits` and :func:`nudged_digits` return scikit-learn's bundled copy of the 8 x 8
handwritten digits (nothing is downloaded) scaled to [0, 1], with their labels. :func:`read_idx`
reads MNIST-format IDX files from local disk, raw or gzip-compressed (its code, mostly checks of
files that may lie, is in ``bmlib/_idx.py``).

:func:`ising_samples` turns the Ising model of :mod:`bmlib.ising` into a data set: decorrelated
equilibrium configurations of an L x L lattice, as 0/1 visible vectors an RBM can learn.
:func:`spins_to_visible` and :func:`visible_to_spins` are the one mapping between the two
conventions (spins s = +-1, units v = (s + 1) / 2 in {0, 1}), and :func:`ising_observables`
measures <E>, <|M|>, C and chi with error bars on any set of configurations, whether they come
from Monte Carlo or from a model's samples. :func:`lattice_orbits` describes an RBM with the
lattice's symmetry (weight sharing), for :func:`bmlib.rbm.tie_parameters`.
"""

import itertools
import math
from dataclasses import dataclass

import numpy as np

from bmlib import _validate, ising, rng, stats
from bmlib._idx import read_idx  # MNIST's file format, in a module of its own

__all__ = [
    "bars_and_stripes",
    "encoder_patterns",
    "digits",
    "nudged_digits",
    "read_idx",
    "spins_to_visible",
    "visible_to_spins",
    "ising_samples",
    "IsingSamples",
    "ising_observables",
    "lattice_orbits",
]


def bars_and_stripes(n, *, distinct=True):
    """All n x n bars-and-stripes images, flattened row by row.

    An image is made by switching on a subset of its rows (stripes) or a subset of its
    columns (bars). There are 2^n subsets of each, 2^(n+1) images in all, but the empty
    subset gives the all-off image both ways and the full subset the all-on image both ways.

    Parameters
    ----------
    n : int
        Side of the square image, >= 2.
    distinct : bool
        If True (default), each image once: 2^(n+1) - 2 patterns (14 for n = 3), so the best
        possible average log-likelihood of a model is -log(2^(n+1) - 2). If False, the
        multiset of all 2^(n+1) row and column choices, in which all-off and all-on appear
        twice (16 for n = 3; best average log-likelihood then -(12 log 16 + 4 log 8) / 16).

    Returns
    -------
    ndarray of shape (n_patterns, n * n)
        Stripes first (row subsets in binary counting order), then bars.
    """
    n = _validate.count("n", n, maximum=14, why="2^(n+1) patterns of n^2 pixels are 51 MB at n = 14")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    distinct = _validate.flag("distinct", distinct)
    subsets = np.array(list(itertools.product([0.0, 1.0], repeat=n)))  # (2^n, n)
    stripes = np.repeat(subsets, n, axis=1)  # row i on -> n pixels of row i on
    bars = np.tile(subsets, (1, n))  # column j on -> pixel j of every row on
    patterns = np.concatenate([stripes, bars])
    if distinct:
        blank_or_full = (patterns.sum(axis=1) == 0) | (patterns.sum(axis=1) == n * n)
        duplicate = blank_or_full & (np.arange(len(patterns)) >= len(subsets))
        patterns = patterns[~duplicate]
    return patterns


def encoder_patterns(n):
    """The n-m-n encoder problem of Ackley, Hinton and Sejnowski (1985).

    n input units and n output units; in pattern i, input unit i and output unit i are on
    and all others off. A Boltzmann machine must pass which unit is on through a narrow
    layer of hidden units (log2 n of them in the 4-2-4 encoder).

    Parameters
    ----------
    n : int
        Number of input (and of output) units, >= 2.

    Returns
    -------
    ndarray of shape (n, 2 * n)
        Row i is [e_i, e_i]: the first n columns are the inputs, the last n the outputs.
    """
    n = _validate.count("n", n, maximum=4096, why="the n x 2n patterns are 268 MB at n = 4096")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    identity = np.eye(n)
    return np.concatenate([identity, identity], axis=1)


def digits(binarize=None):
    """scikit-learn's 1797 handwritten digits, 8 x 8 pixels, flattened row by row.

    The images come from ``sklearn.datasets.load_digits`` (a copy bundled with scikit-learn;
    nothing is downloaded). Their pixels are integers 0..16, scaled here to [0, 1] by / 16.

    Parameters
    ----------
    binarize : float or None
        None (default): grey levels in [0, 1], which an RBM reads as the probabilities of
        its visible units being on. A number t in [0, 1): pixels brighter than t become 1,
        the others 0.

    Returns
    -------
    X : ndarray of shape (1797, 64), float64
    y : ndarray of shape (1797,), int64
        The digit each image shows, 0..9.
    """
    if binarize is not None:
        if isinstance(binarize, bool) or np.ndim(binarize) != 0:
            raise TypeError(f"binarize must be None or a number in [0, 1), got {_validate.show(binarize)}")
        binarize = float(_validate.real_array("binarize", binarize))
        if not 0.0 <= binarize < 1.0:
            raise ValueError(f"binarize must be in [0, 1), got {binarize}")
    from sklearn.datasets import load_digits  # imported here: only this function needs scikit-learn

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    if binarize is not None:
        X = (X > binarize).astype(np.float64)
    return X, np.asarray(bunch.target, dtype=np.int64)


def _shift_images(images, rows, columns):
    """Move every 8 x 8 image by (rows, columns) pixels, filling with 0 (like ndimage's 'constant')."""
    shifted = np.zeros_like(images)
    size = images.shape[1]
    target_rows = slice(max(rows, 0), size + min(rows, 0))
    source_rows = slice(max(-rows, 0), size + min(-rows, 0))
    target_columns = slice(max(columns, 0), size + min(columns, 0))
    source_columns = slice(max(-columns, 0), size + min(-columns, 0))
    shifted[:, target_rows, target_columns] = images[:, source_rows, source_columns]
    return shifted


def nudged_digits():
    """The digits and four copies moved by one pixel, as in scikit-learn's RBM example.

    scikit-learn's example "Restricted Boltzmann Machine features for digit classification"
    enlarges the 1797 digits five-fold by moving each image one pixel up, left, right and down,
    then scales every pixel column by (x - min) / (max + 0.0001). This function reproduces it
    (in float64), so bmlib and ``sklearn.neural_network.BernoulliRBM`` can be compared on the
    same data. The example then keeps 80 % for training: ``train_test_split(X, y,
    test_size=0.2, random_state=0)`` gives 7188 training images.

    Returns
    -------
    X : ndarray of shape (8985, 64), float64 in [0, 1)
        The originals, then the copies moved up, left, right and down (1797 rows each).
    y : ndarray of shape (8985,), int64
    """
    X, y = digits()
    images = (16.0 * X).reshape(-1, 8, 8)
    # (rows, columns) moves of scikit-learn's four 3 x 3 convolution kernels, in its order
    moves = [(-1, 0), (0, -1), (0, 1), (1, 0)]
    X = np.concatenate([images] + [_shift_images(images, r, c) for r, c in moves]).reshape(-1, 64)
    X = (X - X.min(axis=0)) / (X.max(axis=0) + 0.0001)
    return X, np.tile(y, 5)


# ---------------------------------------------------------------------------------------
# Ising configurations as data


def _spin_lattices(name, spins):
    """``spins`` as an int8 array of shape (n_samples, L, L) of +-1, and whether it was one lattice."""
    if isinstance(spins, (str, bytes)) or spins is None:
        raise TypeError(f"{name} must be an array of -1 and +1, got {type(spins).__name__}")
    array = np.asarray(spins)
    if array.dtype.kind not in "biuf":  # complex would lose its imaginary part in astype(int8)
        raise TypeError(f"{name} must hold real numbers -1 and +1, got dtype {array.dtype}")
    single = array.ndim == 2
    if single:
        array = array[None]
    if array.ndim != 3 or array.shape[1] != array.shape[2] or array.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (L, L) or (n_samples, L, L) with L >= 2, got shape {np.shape(spins)}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one lattice, got shape {np.shape(spins)}")
    if not np.all((array == 1) | (array == -1)):
        raise ValueError(f"{name} must hold only -1 and +1")
    return array.astype(np.int8), single


def spins_to_visible(spins):
    """Map Ising spins s in {-1, +1} to RBM visible units v = (s + 1) / 2 in {0, 1}.

    Spin up (+1) becomes a unit that is on (1.0), spin down (-1) a unit that is off (0.0); each
    lattice is flattened row by row, so site (i, j) of an L x L lattice is unit i * L + j.
    :func:`visible_to_spins` is the inverse.

    Parameters
    ----------
    spins : array_like of shape (L, L) or (n_samples, L, L)
        Values -1 and +1 (any numeric dtype), L >= 2.

    Returns
    -------
    ndarray of shape (L * L,) or (n_samples, L * L), float64 of 0.0 and 1.0
    """
    lattices, single = _spin_lattices("spins", spins)
    visible = (lattices.reshape(len(lattices), -1).astype(np.float64) + 1.0) / 2.0
    return visible[0] if single else visible


def visible_to_spins(visible, L=None):
    """Map RBM visible units v in {0, 1} back to Ising spins s = 2 v - 1 on an L x L lattice.

    The inverse of :func:`spins_to_visible`: unit i * L + j becomes site (i, j).

    Parameters
    ----------
    visible : array_like of shape (L * L,) or (n_samples, L * L)
        Values 0 and 1 only (sampled states, not probabilities).
    L : int or None
        Side of the lattice. None: sqrt(n_visible), which must then be a whole number >= 2.

    Returns
    -------
    ndarray of shape (L, L) or (n_samples, L, L), int8 of -1 and +1
    """
    if isinstance(visible, (str, bytes)) or visible is None:
        raise TypeError(f"visible must be an array of 0 and 1, got {type(visible).__name__}")
    array = _validate.real_array("visible", visible)
    single = array.ndim == 1
    if single:
        array = array[None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(
            f"visible must have shape (n_visible,) or (n_samples, n_visible), not empty, got {array.shape}"
        )
    n_visible = array.shape[1]
    if L is None:
        L = math.isqrt(n_visible)
        if L * L != n_visible or L < 2:
            raise ValueError(
                f"visible must have L * L columns for a square lattice with L >= 2, got {n_visible}"
            )
    else:
        L = _validate.count("L", L)
        if L < 2:
            raise ValueError(f"L must be >= 2, got {L}")
        if L * L != n_visible:
            raise ValueError(f"visible must have L * L = {L * L} columns for L = {L}, got {n_visible}")
    if not np.all((array == 0) | (array == 1)):
        raise ValueError("visible must hold only 0 and 1 (sampled states, not probabilities)")
    spins = (2 * array.astype(np.int8) - 1).reshape(len(array), L, L)
    return spins[0] if single else spins


@dataclass(frozen=True, eq=False)
class IsingSamples:
    """Configurations from :func:`ising_samples`, with how they were drawn.

    Attributes
    ----------
    visible : ndarray of shape (n_samples, L * L), float64 of 0.0 and 1.0
        The configurations as RBM visible vectors, v = (s + 1) / 2, one lattice per row.
    L : int
        Side of the lattice.
    T : float
        Temperature.
    algorithm : str
        "metropolis" or "wolff".
    sign : str
        What was done about the s -> -s symmetry ("random", "positive" or "chain").
    tau_int : float
        The larger of the integrated autocorrelation times of E and of |M|, in sweeps,
        measured on a pilot run (1/2 means uncorrelated from one sweep to the next).
    spacing : int
        Sweeps of the chain between two stored configurations.
    n_pilot : int
        Length of the pilot run, in sweeps.
    """

    visible: np.ndarray
    L: int
    T: float
    algorithm: str
    sign: str
    tau_int: float
    spacing: int
    n_pilot: int

    @property
    def spins(self):
        """The configurations as spins, ndarray of shape (n_samples, L, L), int8 of -1 and +1."""
        return visible_to_spins(self.visible, self.L)

    def __len__(self):
        return len(self.visible)


SPACING_FACTOR = 5
"""Stored configurations are ``ceil(SPACING_FACTOR * tau_int)`` sweeps apart (see :func:`ising_samples`)."""

_PILOT_SWEEPS = 4096
_MAX_PILOT_FLIPS = 2**28  # pilot runs grow until n >= 500 tau_int or this many attempted flips
_SIGNS = ("random", "positive", "chain")


def ising_samples(L, T, n_samples, seed=None, algorithm="metropolis", *, sign="random", spacing=None):
    """Decorrelated equilibrium configurations of the L x L Ising model, as 0/1 visible vectors.

    The data an RBM learns the Ising model from (J = 1, h = 0, periodic boundaries). Three steps:

    1. **Pilot run.** :func:`bmlib.ising.simulate` records E and M after every sweep, and
       tau_int, the larger of the integrated autocorrelation times of E and |M|, is measured
       (:func:`bmlib.stats.integrated_autocorrelation_time`). The pilot starts at 4096 sweeps
       and is made four times longer until it holds at least 500 tau_int (or 2^28 attempted
       flips).
    2. **Spacing.** Unless given, ``spacing = ceil(5 tau_int)`` sweeps (``SPACING_FACTOR``).
       For an exponentially decaying autocorrelation rho(t) = exp(-t / tau), consecutive stored
       configurations are then correlated by about exp(-5) = 0.007: for any data set of
       practical size they are independent draws.
    3. **Sampling.** A fresh lattice (all up below ``ising.T_C``, random above, as in
       ``simulate``) is equilibrated for max(1000, 20 * spacing) sweeps, then one configuration
       is stored every ``spacing`` sweeps. For Wolff, a sweep is as many clusters as flip L^2
       spins on average (measured after equilibration), so spacings are comparable.

    **The s -> -s symmetry.** At h = 0, E(-s) = E(s): the Boltzmann distribution gives a
    configuration and its mirror image the same probability, and <M> = 0 at every temperature
    on a finite lattice. A local Metropolis chain below T_C almost never crosses from M > 0 to
    M < 0 (it must pass through states with two domain walls across the lattice, less likely by
    a factor of about exp(-4L/T): 5e-10 for L = 8 at T = 1.5), so the raw chain holds one sign.
    ``sign`` says what to do about it:

    * ``"random"`` (default): every configuration is multiplied by an independent random sign.
      The global flip is an exact Monte Carlo move (it never changes E, so it is always
      accepted), and the data set has the symmetry of the Boltzmann distribution: a model of it
      must put both ordered states in, as the Ising model does.
    * ``"positive"``: configurations with M < 0 are flipped, so every M >= 0. The model has one
      ordered state to learn below T_C, but the data follow p(s | M >= 0), which has a kink at
      M = 0 that no smooth model reproduces above T_C.
    * ``"chain"``: as the chain left them.

    E, |M|, the specific heat and the susceptibility (defined with |M|) are the same for all
    three, since every one of them is unchanged by s -> -s.

    Parameters
    ----------
    L : int
        Side of the lattice, >= 2.
    T : float
        Temperature, > 0 (in units of J / k_B; ``ising.T_C`` = 2.269).
    n_samples : int
        Number of configurations, >= 1.
    seed : int, numpy.random.Generator or None
        The same int gives the same configurations, in any run and process.
    algorithm : {"metropolis", "wolff"}
        The Markov chain: checkerboard Metropolis or Wolff clusters.
    sign : {"random", "positive", "chain"}
        See above.
    spacing : int or None
        Sweeps between stored configurations, >= 1. None: ``ceil(5 tau_int)`` from the pilot.

    Returns
    -------
    IsingSamples
        ``.visible`` (n_samples, L * L) of 0.0 and 1.0, ``.spins`` (n_samples, L, L) of +-1,
        ``.tau_int``, ``.spacing`` and the settings.
    """
    L = _validate.count("L", L)
    if L < 2:
        raise ValueError(f"L must be >= 2, got {L}")
    T = _validate.temperature("T", T)
    n_samples = _validate.count("n_samples", n_samples)
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    if not isinstance(algorithm, str):
        raise TypeError(f"algorithm must be 'metropolis' or 'wolff', got {type(algorithm).__name__}")
    if algorithm not in ("metropolis", "wolff"):
        raise ValueError(f"algorithm must be 'metropolis' or 'wolff', got {algorithm!r}")
    if not isinstance(sign, str):
        raise TypeError(f"sign must be one of {_SIGNS}, got {type(sign).__name__}")
    if sign not in _SIGNS:
        raise ValueError(f"sign must be one of {_SIGNS}, got {sign!r}")
    if spacing is not None:
        spacing = _validate.count("spacing", spacing)
        if spacing < 1:
            raise ValueError(f"spacing must be >= 1 sweep, got {spacing}")
    generator = rng.as_generator(seed)

    tau_int, n_pilot = _pilot_autocorrelation_time(L, T, algorithm, generator)
    if spacing is None:
        spacing = max(1, math.ceil(SPACING_FACTOR * tau_int))

    spins = ising.ordered_spins(L) if T < ising.T_C else ising.random_spins(L, seed=generator)
    n_equilibrate = max(1000, 20 * spacing)
    if algorithm == "metropolis":
        ising.metropolis(spins, T, n_equilibrate, seed=generator)
        configurations = ising.metropolis_snapshots(spins, T, n_samples, spacing, seed=generator)
    else:
        # clusters per sweep: L^2 / mean cluster size, learned while equilibrating
        mean_size = ising.wolff(spins, T, 10, seed=generator)
        clusters_per_sweep = max(1, round(L * L / mean_size))
        mean_size = ising.wolff(spins, T, n_equilibrate * clusters_per_sweep, seed=generator)
        clusters_per_sweep = max(1, round(L * L / mean_size))
        configurations = np.empty((n_samples, L, L), dtype=np.int8)
        for t in range(n_samples):
            ising.wolff(spins, T, spacing * clusters_per_sweep, seed=generator)
            configurations[t] = spins
    if sign == "random":
        configurations *= (2 * generator.integers(0, 2, size=n_samples) - 1).astype(np.int8)[:, None, None]
    elif sign == "positive":
        negative = configurations.sum(axis=(1, 2), dtype=np.int64) < 0
        configurations[negative] *= -1
    return IsingSamples(
        visible=spins_to_visible(configurations),
        L=L,
        T=T,
        algorithm=algorithm,
        sign=sign,
        tau_int=tau_int,
        spacing=spacing,
        n_pilot=n_pilot,
    )


def _pilot_autocorrelation_time(L, T, algorithm, generator):
    """tau_int = max(tau_int(E), tau_int(|M|)) in sweeps, from pilot runs of >= 500 tau_int sweeps."""
    n_pilot = _PILOT_SWEEPS
    while True:
        pilot = ising.simulate(
            L, [T], n_pilot // 4, n_pilot, algorithm, seed=generator, keep_series=True, verbose=False
        )
        energies, magnetizations = pilot.series[0]
        tau_int = max(
            stats.integrated_autocorrelation_time(energies),
            stats.integrated_autocorrelation_time(np.abs(magnetizations)),
        )
        if n_pilot >= 500 * tau_int or 4 * n_pilot * L * L > _MAX_PILOT_FLIPS:
            return tau_int, n_pilot
        n_pilot *= 4


def ising_observables(spins, T):
    """<E>/N, <|M|>/N, specific heat, susceptibility and Binder cumulant of a set of configurations.

    The definitions and error bars of :class:`bmlib.ising.SimulationResult` (J = 1, h = 0,
    periodic boundaries, N = L^2), applied to any set of lattices: Monte Carlo configurations
    or an RBM's samples mapped back with :func:`visible_to_spins`, so both are measured by the
    same code.

        E(s) = -sum_<ij> s_i s_j,   M(s) = sum_i s_i,
        C = (<E^2> - <E>^2) / (N T^2),   chi = (<M^2> - <|M|>^2) / (N T),
        U = 1 - <M^4> / (3 <M^2>^2).

    Error bars: blocking (:func:`bmlib.stats.blocking_error`) for <E>/N and <|M|>/N, a
    32-block jackknife (:func:`bmlib.stats.jackknife`) for C, chi and U. For independent
    configurations (independent chains, or :func:`ising_samples`) these are the usual standard
    errors; for a correlated series they stay honest as long as it is many times longer than
    its autocorrelation time.

    Parameters
    ----------
    spins : array_like of shape (n_samples, L, L)
        Values -1 and +1, n_samples >= 64.
    T : float
        The temperature the configurations belong to (> 0); C and chi divide by it.

    Returns
    -------
    dict of float
        ``energy``, ``abs_magnetization``, ``specific_heat``, ``susceptibility``, ``binder``,
        each with its error as ``<name>_err``, and ``n_samples``.
    """
    lattices, single = _spin_lattices("spins", spins)
    if single or len(lattices) < 64:
        raise ValueError(
            f"spins must hold at least 64 lattices for error bars from blocks, got shape {np.shape(spins)}"
        )
    T = _validate.temperature("T", T)
    s = lattices.astype(np.int64)
    n = s.shape[1] * s.shape[2]
    # each bond once: right and down neighbours, periodic (the sum of ising.energy)
    bonds = (s * (np.roll(s, -1, axis=1) + np.roll(s, -1, axis=2))).sum(axis=(1, 2))
    energies = -bonds.astype(np.float64)
    magnetizations = s.sum(axis=(1, 2)).astype(np.float64)

    result = {
        name: float(value) for name, value in ising.series_observables(energies, magnetizations, T, n).items()
    }
    result["n_samples"] = len(lattices)
    return result


def lattice_orbits(L, point_group=True):
    """Orbits of the parameters of an RBM with one hidden unit per site of an L x L periodic lattice.

    Visible unit i is site (i div L, i mod L) (the row-by-row map of :func:`spins_to_visible`), and
    hidden unit p sits at site p the same way. The lattice's symmetries map the RBM onto itself
    when W_ip depends only on the displacement from site p to site i: translations (and, with
    ``point_group``, the 8 rotations and reflections of the square) move both units alike. So
    the weights fall into orbits, one per displacement (dx, dy) modulo L, or with ``point_group``
    one per class of displacements related by a rotation or reflection; the visible biases form
    one orbit, the hidden biases another. :func:`bmlib.rbm.tie_parameters` averages an RBM over
    these orbits, which makes every hidden unit a copy of one *filter* centred on its own site
    (weight sharing, as in a convolutional RBM with periodic padding).

    Parameters
    ----------
    L : int
        Lattice side, >= 2.
    point_group : bool
        Also identify displacements related by the 8 symmetries of the square (with them, an 8 x 8
        lattice has 15 weight orbits; translations alone give 64).

    Returns
    -------
    weight_orbits : ndarray of int64, shape (L*L, L*L)
        Orbit label of W_ip (visible i, hidden p), labels 0, 1, ... in order of first appearance
        along (dx, dy) = (0, 0), (0, 1), ..., so label 0 is the weight of a hidden unit to its own
        site.
    visible_orbits : ndarray of int64, shape (L*L,)
        All 0: one shared visible bias.
    hidden_orbits : ndarray of int64, shape (L*L,)
        All 0: one shared hidden bias.
    """
    L = _validate.count("L", L, maximum=64, why="the (L^2, L^2) weight labels are 134 MB at L = 64")
    if L < 2:
        raise ValueError(f"L must be >= 2, got {L}")
    point_group = _validate.flag("point_group", point_group)
    dx = np.arange(L)[:, None]
    dy = np.arange(L)[None, :]
    codes = dx * L + dy  # displacement (dx, dy) -> code
    if point_group:
        square = [(dx, dy), (-dy, dx), (-dx, -dy), (dy, -dx), (-dx, dy), (dx, -dy), (dy, dx), (-dy, -dx)]
        images = [(a % L) * L + (b % L) for a, b in square]
        codes = np.minimum.reduce([np.broadcast_to(image, (L, L)) for image in images])
    _, labels = np.unique(codes.ravel(), return_inverse=True)
    displacement_orbit = labels.reshape(L, L)
    rows, columns = np.divmod(np.arange(L * L), L)
    weight_orbits = displacement_orbit[
        (rows[:, None] - rows[None, :]) % L, (columns[:, None] - columns[None, :]) % L
    ]
    return (
        weight_orbits.astype(np.int64),
        np.zeros(L * L, dtype=np.int64),
        np.zeros(L * L, dtype=np.int64),
    )
