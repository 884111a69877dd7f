"""An RBM dreaming, live (chapter 06): a grid of Gibbs chains, with k and a temperature.

Each of ``n_chains`` chains runs block Gibbs sampling (:func:`bmlib.rbm.gibbs`) on a trained
RBM; a frame is ``k`` steps v -> h -> v. The last step is written out so that the picture can
show P(v = 1 | h), the probabilities the new pixels were drawn from (smoother than the 0/1
samples drawn from them). At temperature T the chains sample p_T(v, h) = exp(-E(v, h) / T) / Z_T,
the RBM with its weights and both biases divided by T. (Its marginal over v is not p(v)^(1/T),
since a sum over h does not commute with the power, but the limits are the same: T -> 0
concentrates on the lowest energies, T -> infinity is uniform.) The traces are the mean free
energy F(v) of the chains under the model itself (T = 1), with the data's mean dashed when data
are given, and the pixels each chain flipped in the last frame.

What to look for, on chapter 06's digits model (64 visible, 100 hidden units, CD-1):

- at T = 1, chains started from noise look like digits within a few frames, their mean F(v)
  settles near the data's, and they keep moving from one digit-like image to another;
- below T = 1 (try 0.3) the chains fall into bold, blocky digits and nearly stop: fewer pixels
  flip per frame, F(v) falls below the data's, and several chains end on the same image;
- above T = 1 (try 3) the strokes dissolve into grey smudges, F(v) rises far above the data's
  and the chains flip many more pixels every frame;
- a larger k moves every chain further per frame (more pixels flipped), at k times the cost.
"""

import numpy as np

from bmlib import _validate, plotting, rbm, rng
from bmlib.explore import _display
from bmlib.rbm import _checks

__all__ = ["FantasyExplorer"]

MAX_CHAINS = 256
GAP = 0.15  # the grey of the lines between the tiles (0 white, 1 black)


class FantasyExplorer(_display.Explorer):
    """A grid of Gibbs chains of a trained RBM, with k (steps per frame) and temperature controls.

    Parameters
    ----------
    W : array_like of shape (n_visible, n_hidden), or a fitted :class:`bmlib.rbm.RBM`
        The weights; given an RBM, its ``W_``, ``visible_bias_`` and ``hidden_bias_`` are used
        (copied: training it further does not change the explorer).
    visible_bias, hidden_bias : array_like of shapes (n_visible,) and (n_hidden,)
        The biases; leave them out when ``W`` is an RBM.
    image_shape : (height, width) or None
        How a visible vector is drawn; None: a square, when n_visible is a square number.
    data : array_like of shape (n_samples, n_visible) or None
        Values in [0, 1]. Gives the "restart from data" button and the dashed mean F(data).
    k : int
        Gibbs steps per frame, 1 to 1000.
    T : float
        Temperature, 0.05 <= T <= 20: the chains sample the RBM with parameters W / T, b / T, c / T.
    n_chains : int
        Chains shown as a grid of tiles, 1 to 256.
    start : {"noise", "data"}
        The first states: independent random pixels, or random rows of ``data``.
    seed : int or numpy.random.Generator
        Every frame draws from one Generator made from it: the same seed and the same sequence
        of actions give the same chains.
    history : int
        Frames kept in the traces (the oldest go first), >= 2.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[4.0], [4.0]])  # two pixels that like to be on together
    >>> lab = FantasyExplorer(W, [-2.0, -2.0], [-2.0], image_shape=(1, 2), seed=0)
    >>> lab.advance(10)
    >>> lab.steps, lab.v.shape
    (10, (64, 2))
    """

    def __init__(self, W, visible_bias=None, hidden_bias=None, image_shape=None, data=None, k=1,
                 T=1.0, n_chains=64, start="noise", seed=0, history=300):  # fmt: skip
        if isinstance(W, rbm.RBM):
            if visible_bias is not None or hidden_bias is not None:
                raise TypeError("give either a fitted RBM or W, visible_bias and hidden_bias, not both")
            W, visible_bias, hidden_bias = W._check_fitted()
        W, visible_bias, hidden_bias = (np.array(a) for a in _checks.parameters(W, visible_bias, hidden_bias))
        self.W, self.visible_bias, self.hidden_bias = W, visible_bias, hidden_bias
        n_visible = W.shape[0]
        if image_shape is None:
            side = int(round(np.sqrt(n_visible)))
            if side * side != n_visible:
                raise ValueError(f"image_shape must be given: n_visible = {n_visible} is not a square number")
            image_shape = (side, side)
        if np.ndim(image_shape) != 1 or len(image_shape) != 2:
            raise ValueError(f"image_shape must be a pair (height, width), got {_validate.show(image_shape)}")
        height, width = (_validate.count("image_shape", n) for n in image_shape)
        if height * width != n_visible:
            raise ValueError(f"image_shape {image_shape} must hold n_visible = {n_visible} pixels")
        self.image_shape = (height, width)
        self.data = None if data is None else _checks.units("data", data, n_visible)
        self.n_chains = _validate.count("n_chains", n_chains, maximum=MAX_CHAINS, why="no more fit a screen")
        if self.n_chains < 1:
            raise ValueError("n_chains must be at least 1")
        self.history = _display.history_length(history)
        self._generator = rng.as_generator(seed)
        self.data_free_energy = None if data is None else self._mean_free_energy(self.data)
        self.k, self.T = 1, 1.0
        self.set(k=k, T=T)
        self.restart(start)

    # -- controls ---------------------------------------------------------------------------

    def controls(self):
        """The widgets' specification: name -> ("float", low, high, step) / ("int", low, high)."""
        return {"k": ("int", 1, 50), "T": ("float", 0.1, 5.0, 0.05)}

    def actions(self):
        """The buttons: label -> what they do."""
        buttons = {"restart from noise": lambda: self.restart("noise")}
        if self.data is not None:
            buttons["restart from data"] = lambda: self.restart("data")
        return buttons

    def set(self, **values):
        """Change k and/or T (checked; the chains are kept)."""
        self._refuse_unknown(values)
        k = _validate.count("k", values.get("k", self.k))
        if not 1 <= k <= 1000:
            raise ValueError(f"k must be between 1 and 1000, got {k}")
        T = _validate.temperature("T", values.get("T", self.T))
        if not 0.05 <= T <= 20.0:
            raise ValueError(f"T must be between 0.05 and 20, got {T:g}")
        self.k, self.T = k, T
        # exp(-E(v, h) / T) is the RBM with every parameter divided by T
        self._tempered = (self.W / T, self.visible_bias / T, self.hidden_bias / T)

    def restart(self, start="noise"):
        """Start every chain again, from random pixels ("noise") or random rows of the data
        ("data"); the traces start again too."""
        if start == "noise":
            self.v = (self._generator.random((self.n_chains, self.W.shape[0])) < 0.5).astype(np.float64)
        elif start == "data":
            if self.data is None:
                raise ValueError("start='data' needs data: pass data=... to FantasyExplorer")
            self.v = self.data[self._generator.integers(0, len(self.data), self.n_chains)].copy()
        else:
            raise ValueError(f"start must be 'noise' or 'data', got {start!r}")
        self.probabilities = self.v  # what is drawn until the first step
        self.frame, self.steps = 0, 0
        self.free_energies, self.flips = [], []
        self._measure()

    # -- the simulation -----------------------------------------------------------------------

    def advance(self, n_frames=1):
        """Run ``n_frames`` frames of k Gibbs steps each; record mean F(v) and pixels flipped."""
        n_frames = _validate.count("n_frames", n_frames, maximum=10**6)
        W, visible_bias, hidden_bias = self._tempered
        for _ in range(n_frames):
            before = self.v
            v = self.v
            if self.k > 1:
                v = rbm.gibbs(v, W, visible_bias, hidden_bias, k=self.k - 1, seed=self._generator)
            # the last step by hand, to keep P(v = 1 | h) for the picture:
            # h ~ P(h | v), then v_i = 1 with probability sigmoid(b_i + sum_j W_ij h_j)
            h = rbm.sample_hidden(v, W, hidden_bias, seed=self._generator)
            p = self.probabilities = rbm.visible_probabilities(h, W, visible_bias)
            self.v = (self._generator.random(p.shape) < p).astype(np.float64)
            self.frame += 1
            self.steps += self.k
            self.flips.append(float(np.abs(self.v - before).sum(axis=1).mean()))
            self._measure()

    def _mean_free_energy(self, v):
        """Mean F(v) over the rows of v, under the model itself (T = 1)."""
        return float(rbm.free_energy(v, self.W, self.visible_bias, self.hidden_bias).mean())

    def _measure(self):
        self.free_energies.append(self._mean_free_energy(self.v))
        del self.free_energies[: -self.history], self.flips[: -self.history]

    # -- what is drawn --------------------------------------------------------------------------

    def image(self):
        """The chains' P(v = 1 | h) as tiles, in [0, 1] (the starting states before any step)."""
        columns = int(np.ceil(np.sqrt(self.n_chains)))
        tiles = plotting.tile_images(self.probabilities, self.image_shape, n_columns=columns)
        return np.where(np.isnan(tiles), GAP, tiles)

    def traces(self):
        """Mean F(v) of the chains (dashed: mean F of the data) and pixels flipped per chain."""
        values = [x for x in self.free_energies + [self.data_free_energy] if x is not None]
        low, high = min(values), max(values)
        pad = max(1.0, 0.05 * (high - low))
        return {
            "mean F(v)": (self.free_energies, self.data_free_energy, (low - pad, high + pad)),
            "pixels flipped": (self.flips, None, (0.0, self.W.shape[0] / 2)),
        }

    def figure(self, n_frames=60, n_snapshots=4):
        """A static figure: ``n_snapshots`` grids over ``n_frames`` frames, and the traces."""
        import matplotlib.pyplot as plt

        steps = f"{self.k} step{'s' if self.k > 1 else ''}"
        fig = plt.figure(figsize=(9.0, 4.8))
        rows = fig.add_gridspec(2, 1, height_ratios=(1.3, 1.0))
        top, bottom = rows[0].subgridspec(1, n_snapshots, wspace=0.05), rows[1].subgridspec(1, 2, wspace=0.25)
        marks = np.linspace(0, n_frames, n_snapshots).round().astype(int)
        for index, mark in enumerate(marks):
            self.advance(mark - self.frame)
            ax = fig.add_subplot(top[index])
            ax.imshow(self.image(), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(f"after {self.steps} Gibbs steps", fontsize=10)
            ax.set_axis_off()
        units = {"mean F(v)": "mean free energy F(v)", "pixels flipped": "pixels flipped per chain"}
        for column, (label, (values, reference, limits)) in enumerate(self.traces().items()):
            ax = fig.add_subplot(bottom[column])
            frames = np.arange(self.frame - len(values) + 1, self.frame + 1)
            ax.plot(frames, values, label="the chains")
            if reference is not None:
                ax.axhline(reference, color="C3", linestyle="--", label="the data")
                ax.legend(fontsize=8)
            ax.set_ylim(*limits)
            ax.set_xlabel(f"frame ({steps} each)")
            ax.set_ylabel(units[label], fontsize=9)
        n_visible, n_hidden = self.W.shape
        fig.suptitle(
            f"{self.n_chains} Gibbs chains of an RBM ({n_visible} visible × {n_hidden} hidden) "
            f"at T = {self.T:g}, {steps} a frame; tiles: P(v = 1 | h)"
        )
        return fig

    def animation(self):
        """The website's animation: how many frames, one every how many."""
        return {"n_frames": 60, "every": 1, "pixels": 200}  # tiles 3 screen pixels a pixel: ~0.8 MB
