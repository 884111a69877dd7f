"""The Ising lattice, live (chapter 02): drag the temperature and the field, watch it order.

Each frame runs ``sweeps_per_frame`` Metropolis sweeps (:func:`bmlib.ising.metropolis`) or as
many Wolff clusters as flip about that many spins per site (:func:`bmlib.ising.wolff`, h = 0
only), then records E/N and |M|/N. The traces show them against Onsager's infinite-lattice
values (dashed) when h = 0. What to look for:

- below T_c = 2.269 a quench from random forms domains that grow and merge (coarsening); with
  Metropolis, stripes that span the lattice can last a very long time, Wolff removes them at once;
- near T_c Metropolis slows down: |M|/N wanders for hundreds of sweeps (critical slowing down),
  while Wolff's traces decorrelate in a few frames;
- above T_c the lattice stays disordered whatever it started from;
- a field h tilts the balance: the lattice orders along h even above T_c.
"""

import numpy as np

from bmlib import _validate, ising, rng
from bmlib.explore import _display

__all__ = ["IsingExplorer"]

ALGORITHMS = ("metropolis", "wolff")
MAX_L = 1024


class IsingExplorer(_display.Explorer):
    """A live L x L Ising lattice with temperature, field and algorithm controls.

    Parameters
    ----------
    L : int
        Lattice side, even, 4 <= L <= 1024.
    T : float
        Temperature (units of J / k_B), 0.05 <= T <= 10.
    h : float
        Field, -2 <= h <= 2; must be 0 with Wolff.
    algorithm : {"metropolis", "wolff"}
    sweeps_per_frame : int
        Monte Carlo sweeps (Wolff: spin flips per site, about) per frame, 1 to 100.
    start : {"random", "ordered"}
        The first lattice: independent random spins (infinite temperature) or all +1.
    seed : int or numpy.random.Generator
        Every frame draws from one Generator made from it: the same seed and the same sequence of
        actions give the same lattices.
    history : int
        Frames kept in the traces (the oldest go first), >= 2.

    Examples
    --------
    >>> from bmlib.explore import IsingExplorer
    >>> lab = IsingExplorer(L=64, T=1.0, seed=0)
    >>> lab.advance(50)
    >>> lab.energies[-1] < -1.8    # ordered, or nearly: E/N = -2 for a perfect order
    True
    """

    def __init__(self, L=256, T=ising.T_C, h=0.0, algorithm="metropolis", sweeps_per_frame=4,
                 start="random", seed=0, history=300):  # fmt: skip
        L = _validate.count("L", L, maximum=MAX_L, why="larger lattices do not fit a screen")
        if L < 4 or L % 2:
            raise ValueError(f"L must be even and at least 4, got {L}")
        self.L = L
        self.history = _display.history_length(history)
        self._generator = rng.as_generator(seed)
        self.T, self.h, self.algorithm, self.sweeps_per_frame = ising.T_C, 0.0, "metropolis", 1
        self.set(T=T, h=h, algorithm=algorithm, sweeps_per_frame=sweeps_per_frame)
        self.quench(start)

    # -- controls ---------------------------------------------------------------------------

    def controls(self):
        """The widgets' specification: name -> ("float", low, high, step) / ("int", low, high)
        / ("choice", options) / ("levels", ordered options, a slider)."""
        return {
            "T": ("float", 0.05, 5.0, 0.01),
            "h": ("float", -1.0, 1.0, 0.01),
            "algorithm": ("choice", ALGORITHMS),
            "sweeps_per_frame": ("int", 1, 50),
        }

    def actions(self):
        """The buttons: label -> what they do."""
        return {
            "quench from random": lambda: self.quench("random"),
            "quench from ordered": lambda: self.quench("ordered"),
        }

    def set(self, **values):
        """Change any of T, h, algorithm, sweeps_per_frame (checked; the lattice is kept)."""
        self._refuse_unknown(values)
        T = _validate.temperature("T", values.get("T", self.T))
        if not 0.05 <= T <= 10.0:
            raise ValueError(f"T must be between 0.05 and 10, got {T:g}")
        h = _validate.single("h", values.get("h", self.h), _validate.real_array)
        if abs(h) > 2.0:
            raise ValueError(f"h must be between -2 and 2, got {h:g}")
        algorithm = values.get("algorithm", self.algorithm)
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be 'metropolis' or 'wolff', got {algorithm!r}")
        if algorithm == "wolff" and h != 0.0:
            raise ValueError(
                f"Wolff's clusters here take no field: set h = 0 (got h = {h:g}) or choose metropolis"
            )
        sweeps = _validate.count("sweeps_per_frame", values.get("sweeps_per_frame", self.sweeps_per_frame))
        if not 1 <= sweeps <= 100:
            raise ValueError(f"sweeps_per_frame must be between 1 and 100, got {sweeps}")
        self.T, self.h, self.algorithm, self.sweeps_per_frame = T, h, algorithm, sweeps

    def quench(self, start="random"):
        """Start again from ``start`` ("random": T = infinity, or "ordered": all +1) at the
        current T and h; the traces start again too."""
        if start == "random":
            self.spins = ising.random_spins(self.L, seed=self._generator)
        elif start == "ordered":
            self.spins = ising.ordered_spins(self.L)
        else:
            raise ValueError(f"start must be 'random' or 'ordered', got {start!r}")
        self.frame, self.sweeps = 0, 0.0
        self.energies, self.magnetizations = [], []
        self._measure()

    # -- the simulation -----------------------------------------------------------------------

    def advance(self, n_frames=1):
        """Run ``n_frames`` frames (each ``sweeps_per_frame`` sweeps) and record E/N and |M|/N."""
        n_frames = _validate.count("n_frames", n_frames, maximum=10**6)
        N = self.L * self.L
        for _ in range(n_frames):
            if self.algorithm == "metropolis":
                ising.metropolis(self.spins, self.T, self.sweeps_per_frame, self._generator, h=self.h)
                self.sweeps += self.sweeps_per_frame
            else:  # clusters until enough spins flipped, in batches that at most double (cluster
                # sizes change fast while a quenched lattice orders)
                target, flipped, n_clusters = self.sweeps_per_frame * N, 0.0, 1
                while flipped < target:
                    size = ising.wolff(self.spins, self.T, n_clusters, self._generator)
                    flipped += n_clusters * size
                    n_clusters = min(2 * n_clusters, max(1, int((target - flipped) / max(size, 1.0))))
                self.sweeps += flipped / N
            self.frame += 1
            self._measure()

    def _measure(self):
        self.energies.append(ising.energy(self.spins, h=self.h, per_spin=True))
        self.magnetizations.append(abs(ising.magnetization(self.spins, per_spin=True)))
        del self.energies[: -self.history], self.magnetizations[: -self.history]

    # -- what is drawn --------------------------------------------------------------------------

    def image(self):
        return self.spins

    def traces(self):
        """E/N and |M|/N over the kept frames, with Onsager's values when h = 0 (dashed)."""
        exact = self.h == 0.0
        energy = float(ising.onsager_energy(self.T)) if exact else None
        magnetization = float(ising.onsager_magnetization(self.T)) if exact else None
        return {
            "E/N": (self.energies, energy, (-2.0 - abs(self.h), 0.5)),
            "|M|/N": (self.magnetizations, magnetization, (0.0, 1.0)),
        }

    def figure(self, n_frames=60, n_snapshots=4):
        """A static figure: ``n_snapshots`` lattices over ``n_frames`` frames, and the traces."""
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(9.0, 4.8))
        top, bottom = fig.subfigures(2, 1)
        marks = np.linspace(0, n_frames, n_snapshots).round().astype(int)
        for ax, mark in zip(np.atleast_1d(top.subplots(1, n_snapshots)), marks, strict=True):
            self.advance(mark - self.frame)
            ax.imshow(self.spins, cmap="gray_r", vmin=-1, vmax=1, interpolation="nearest")
            ax.set_title(f"after {self.sweeps:.0f} sweeps", fontsize=10)
            ax.set_axis_off()
        sweeps = np.linspace(0.0, self.sweeps, len(self.energies))
        panels = zip(bottom.subplots(1, 2), self.traces().items(), strict=True)
        for ax, (label, (values, reference, limits)) in panels:
            ax.plot(sweeps, values, label=f"{self.algorithm}, L = {self.L}")
            if reference is not None:
                ax.axhline(reference, color="C3", linestyle="--", label="Onsager, L = ∞")
            ax.set_ylim(*limits)
            ax.set_xlabel("sweeps")
            ax.set_ylabel(label)
            ax.legend(fontsize=8)
        fig.suptitle(f"a {self.L} × {self.L} lattice at T = {self.T:.3f}, h = {self.h:g} (black: s = +1)")
        return fig
