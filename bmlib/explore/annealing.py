"""Simulated annealing, live (chapter 03): cool a spin glass fast or slowly, watch its energy.

The instance is a Sherrington–Kirkpatrick glass of n spins (J_ij drawn from N(0, 1/n), as in
chapter 03), small enough that its ground state is found once by trying all 2^n states. Each
frame runs the next ``sweeps_per_frame`` temperatures of a geometric schedule from ``T_start``
to ``T_end`` over ``n_sweeps`` sweeps (:func:`bmlib.ising.anneal`, one Metropolis sweep per
temperature), continuing from the current spins. The traces show E/N against the ground state's
(dashed) and the temperature. What to try:

- a fast schedule (a few dozen sweeps) freezes the spins in whatever valley they are in when T
  gets low, often above the ground state; a slow one (thousands) ends in it far more often;
- "reheat" starts again from random spins: the same schedule lands in different states;
- "quench" runs a schedule of zeros, pure descent: it stops in the nearest local minimum;
- the image shows the spins (black +1) above the ground state's, so you can see whether the
  run found it (or its mirror image, every spin flipped, which has the same energy).
"""

import numpy as np

from bmlib import _validate, ising, rng
from bmlib.explore import _display

__all__ = ["AnnealingExplorer"]

MAX_EXACT = 22  # the ground state is found by brute force up to this many spins
SCHEDULES = (10, 30, 100, 300, 1000, 3000)


def ground_state(J):
    """The lowest energy of E(s) = -sum_{i<j} J_ij s_i s_j over all 2^n states, and one state
    that has it (with s_0 = +1; flipping every spin gives the other)."""
    n = len(J)
    best_energy, best = np.inf, None
    bits = np.arange(n - 1)
    for start in range(0, 2 ** (n - 1), 2**14):  # s_0 = +1: the mirror images need no visit
        codes = np.arange(start, min(start + 2**14, 2 ** (n - 1)))
        spins = np.ones((len(codes), n))
        spins[:, 1:] = 1 - 2 * ((codes[:, None] >> bits) & 1)
        energies = -0.5 * np.einsum("ki,ij,kj->k", spins, J, spins)
        k = np.argmin(energies)
        if energies[k] < best_energy:
            best_energy, best = energies[k], spins[k].astype(np.int8)
    return float(best_energy), best


class AnnealingExplorer(_display.Explorer):
    """A small spin glass annealed live, with the cooling schedule's length as the cooling rate.

    Parameters
    ----------
    n : int
        Number of spins, 4 to 22 (its ground state is found by trying every state).
    n_sweeps : int
        Length of the cooling schedule in sweeps (one temperature each), one of 10, 30, 100, 300,
        1000, 3000: the fewer, the faster the cooling.
    T_start, T_end : float
        The schedule's first and last temperatures, 0.01 <= T_end < T_start <= 10.
    sweeps_per_frame : int
        Temperatures of the schedule run per frame, 1 to 100.
    instance : int
        Seed of the couplings J (the same instance for the same number).
    seed : int or numpy.random.Generator
        The start and every sweep draw from one Generator made from it.
    """

    def __init__(self, n=16, n_sweeps=300, T_start=3.0, T_end=0.05, sweeps_per_frame=5, instance=1, seed=0):
        n = _validate.count("n", n)
        if not 4 <= n <= MAX_EXACT:
            raise ValueError(
                f"n must be between 4 and {MAX_EXACT} (its ground state is found by brute force), got {n}"
            )
        instance = _validate.count("instance", instance)
        self.T_start = _validate.temperature("T_start", T_start)
        self.T_end = _validate.temperature("T_end", T_end)
        if not 0.01 <= self.T_end < self.T_start <= 10.0:
            raise ValueError(
                f"need 0.01 <= T_end < T_start <= 10, got T_end = {self.T_end:g}, T_start = {self.T_start:g}"
            )
        generator = np.random.default_rng(instance)
        J = np.triu(generator.normal(0.0, 1.0 / np.sqrt(n), size=(n, n)), 1)
        self.J, self.n = J + J.T, n
        self.ground_energy, self.ground_spins = ground_state(self.J)
        self._generator = rng.as_generator(seed)
        self.n_sweeps, self.sweeps_per_frame = 300, 5
        self.set(n_sweeps=n_sweeps, sweeps_per_frame=sweeps_per_frame)
        self.reheat()

    def controls(self):
        """The widgets' specification (see :mod:`bmlib.explore`)."""
        return {"n_sweeps": ("levels", SCHEDULES), "sweeps_per_frame": ("int", 1, 100)}

    def actions(self):
        """The buttons: label -> what they do."""
        return {"reheat": self.reheat, "quench": self.quench}

    def set(self, **values):
        """Change n_sweeps (the schedule starts again at T_start) or sweeps_per_frame."""
        self._refuse_unknown(values)
        n_sweeps = values.get("n_sweeps", self.n_sweeps)
        if isinstance(n_sweeps, (bool, np.bool_)) or n_sweeps not in SCHEDULES:
            raise ValueError(f"n_sweeps must be one of {SCHEDULES}, got {n_sweeps!r}")
        sweeps = _validate.count("sweeps_per_frame", values.get("sweeps_per_frame", self.sweeps_per_frame))
        if not 1 <= sweeps <= 100:
            raise ValueError(f"sweeps_per_frame must be between 1 and 100, got {sweeps}")
        restart = int(n_sweeps) != self.n_sweeps
        self.n_sweeps, self.sweeps_per_frame = int(n_sweeps), sweeps
        if restart and hasattr(self, "spins"):
            self.reheat()

    def reheat(self):
        """Random spins, and the schedule from its start."""
        self.schedule = ising.geometric_schedule(self.T_start, self.T_end, self.n_sweeps)
        self._start(self._generator.choice(np.array([-1, 1], dtype=np.int8), self.n))

    def quench(self):
        """Random spins, then T = 0 for the whole schedule: pure descent."""
        self.schedule = np.zeros(self.n_sweeps)
        self._start(self._generator.choice(np.array([-1, 1], dtype=np.int8), self.n))

    def _start(self, spins):
        self.spins, self.sweep = spins, 0
        self.energies = [ising.couplings_energy(self.spins, self.J) / self.n]
        self.temperatures = [float(self.schedule[0])]

    def advance(self, n_frames=1):
        """Run the next ``sweeps_per_frame`` temperatures of the schedule per frame (past its
        end, the frames keep its last temperature)."""
        n_frames = _validate.count("n_frames", n_frames, maximum=10**6)
        for _ in range(n_frames):
            stop = self.sweep + self.sweeps_per_frame
            temperatures = self.schedule[self.sweep : stop]
            if len(temperatures) < self.sweeps_per_frame:
                extra = np.full(self.sweeps_per_frame - len(temperatures), self.schedule[-1])
                temperatures = np.concatenate([temperatures, extra])
            result = ising.anneal(self.J, None, temperatures, seed=self._generator, spins=self.spins)
            self.spins, self.sweep = result.final_spins, stop
            self.energies.append(result.trace[-1] / self.n)
            self.temperatures.append(float(temperatures[-1]))

    @property
    def found_ground_state(self):
        """Whether the spins are the ground state (or its mirror image)."""
        return bool(abs(int(self.spins.astype(np.int64) @ self.ground_spins)) == self.n)

    def image(self):
        """The spins (top row) above the ground state's (bottom row), mirrored to match best."""
        overlap = self.spins.astype(np.int64) @ self.ground_spins
        ground = self.ground_spins if overlap >= 0 else -self.ground_spins
        gap = np.zeros(self.n, dtype=np.int8)  # a row between the two
        return np.stack([self.spins, gap, ground]).astype(np.int8)

    def traces(self):
        """E/N with the ground state's (dashed), and T."""
        e0 = self.ground_energy / self.n
        return {
            "E/N": (self.energies, e0, (e0 - 0.05, 0.3)),
            "T": (self.temperatures, None, (0.0, self.T_start)),
        }

    def figure(self):
        """A static figure: the energy through the whole schedule, against the ground state's."""
        import matplotlib.pyplot as plt

        self.advance(-(-(len(self.schedule) - self.sweep) // self.sweeps_per_frame))
        fig, (ax, spins_ax) = plt.subplots(2, 1, figsize=(7.0, 4.8), height_ratios=[3, 1])
        sweeps = np.arange(len(self.energies)) * self.sweeps_per_frame
        ax.plot(sweeps, self.energies, label=f"E/N, cooled over {self.n_sweeps} sweeps")
        ax.axhline(
            self.ground_energy / self.n, color="C3", linestyle="--", label="ground state (all 2^n states)"
        )
        twin = ax.twinx()
        twin.plot(sweeps, self.temperatures, color="0.6", linewidth=1.0, label="T")
        twin.set_ylabel("T (grey)", color="0.4")
        twin.grid(False)
        ax.set_xlabel("sweeps")
        ax.set_ylabel("E/N")
        ax.legend(fontsize=8)
        found = "found" if self.found_ground_state else "missed"
        title = f"an SK glass of {self.n} spins, T from {self.T_start:g} to {self.T_end:g}"
        ax.set_title(f"{title}: {found} its ground state")
        spins_ax.imshow(self.image(), cmap="gray_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
        spins_ax.set_yticks([0, 2], ["final spins", "ground state"])
        spins_ax.set_xticks([])
        spins_ax.grid(False)
        return fig
