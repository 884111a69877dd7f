"""The named bundles that the training kernels take instead of long lists of arguments.

One CD-k / PCD-k update reads and writes five groups of values. Each is a ``NamedTuple``, so a
kernel's signature says what it works on (``params``, ``velocities``, ...) and the fields say
which array is which; Numba compiles them like plain tuples (no cost at run time).
"""

from typing import NamedTuple

import numpy as np

from bmlib import _validate

__all__ = ["Parameters", "Velocities", "Chains", "Settings", "Offsets", "settings"]


class Parameters(NamedTuple):
    """The model: W (n_visible, n_hidden), b (n_visible,), c (n_hidden,). Updated in place."""

    W: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray


class Velocities(NamedTuple):
    """The momentum terms of the three parameters, same shapes. Updated in place."""

    W: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray


class Chains(NamedTuple):
    """The negative phase's state: ``hidden``, the persistent chains' h (n_chains, n_hidden; unused
    by CD), and ``streams``, the xoshiro256** states (a row per chain, see :mod:`bmlib.rng`)."""

    hidden: np.ndarray
    streams: np.ndarray


class Offsets(NamedTuple):
    """Centred training's offsets mu (n_visible,) and lambda (n_hidden,); lambda is updated."""

    visible: np.ndarray
    hidden: np.ndarray


class Settings(NamedTuple):
    """The numbers that stay fixed during an epoch (build it with :func:`settings`)."""

    learning_rate: float
    momentum: float
    weight_decay: float
    k: int
    persistent: bool
    batch_size: int
    centered: bool
    offset_rate: float
    ends_epoch: bool = True  # False for a block of rows that is not the epoch's last (sparse X)


def settings(
    learning_rate, momentum, weight_decay, k, persistent, batch_size, centered, offset_rate, ends_epoch=True
):
    """A :class:`Settings` with every field of one type (float, int or bool), so that a kernel is
    compiled once however the caller wrote the numbers (0 or 0.0, numpy or Python scalars).

    As everywhere in bmlib, a flag is a bool and a bool is not a number (``persistent=nan`` or
    ``learning_rate=True`` is refused); the ranges of the numbers are :class:`RBM`'s to check.
    """
    numbers = dict(learning_rate=learning_rate, momentum=momentum, weight_decay=weight_decay, k=k)
    for name, value in {**numbers, "batch_size": batch_size, "offset_rate": offset_rate}.items():
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a number, got the bool {value} (a bool is not a number)")
    return Settings(
        float(learning_rate),
        float(momentum),
        float(weight_decay),
        int(k),
        _validate.flag("persistent", persistent),
        int(batch_size),
        _validate.flag("centered", centered),
        float(offset_rate),
        _validate.flag("ends_epoch", ends_epoch),
    )
