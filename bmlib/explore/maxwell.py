"""Molecular speeds, live (chapter 01): draw molecules and watch their histogram settle onto f(v).

Each frame draws ``molecules_per_frame`` more speeds of the chosen gas at temperature T
(:func:`bmlib.maxwell.sample_speeds`) and adds them to a histogram, drawn against the exact
Maxwell–Boltzmann density f(v) (:func:`bmlib.maxwell.speed_pdf`) and the three characteristic
speeds v_p < <v> < v_rms (dashed). The traces show the sample's mean and rms speed against their
exact values (dashed), and z = (sample mean - <v>) / (sigma / sqrt(n)), how many standard errors
the sample mean is from <v>. Changing T or the gas starts a new sample. What to look for:

- the first frames are ragged; as molecules accumulate the histogram settles onto f(v), the
  relative noise of a bar falling like 1 / sqrt(the molecules in it);
- z stays mostly within +-2 however large the sample grows: the mean gets closer to <v>, and its
  error bar shrinks just as fast;
- raise T: the histogram moves right and its peak drops (the axes stay put for a gas over the
  slider's range, 100 K to 1500 K), because the area under f(v) is 1 and its width grows like sqrt(T);
- change the gas: the axes rescale with 1 / sqrt(m), so the shape stays; the legend's speeds show
  that light molecules are fast (helium's are sqrt(m_N2 / m_He) = 2.65 times nitrogen's);
- v_p : <v> : v_rms = 1 : 1.128 : 1.225 for every gas at every temperature.
"""

import matplotlib as mpl
import numpy as np

from bmlib import _validate, maxwell, plotting, rng
from bmlib.explore import _display

__all__ = ["MaxwellExplorer"]

T_LOW, T_HIGH = 100.0, 1500.0  # kelvin: a gas's axes hold f(v) over this range of temperatures
N_BINS = 80
MAX_PER_FRAME = 100_000
SYMBOLS = {"v_p": "$v_p$", "<v>": r"$\langle v\rangle$", "v_rms": r"$v_{\rm rms}$"}  # for the legend


def _rounded_up(x):
    """``x`` rounded up to a multiple of a quarter of its power of ten (2830 -> 3000)."""
    step = 10.0 ** np.floor(np.log10(x)) / 4
    return float(np.ceil(x / step) * step)


class MaxwellExplorer(_display.Explorer):
    """A growing sample of molecular speeds against the Maxwell–Boltzmann distribution.

    Parameters
    ----------
    T : float
        Temperature in kelvin, 100 <= T <= 1500.
    gas : str
        A formula of :data:`bmlib.maxwell.GASES` ("He", "N2", "Xe", ...).
    molecules_per_frame : int
        Speeds drawn per frame, 1 to 100 000.
    seed : int or numpy.random.Generator
        Every frame draws from one Generator made from it: the same seed and the same sequence of
        actions give the same samples.
    history : int
        Frames kept in the traces (the oldest go first), >= 2.

    Examples
    --------
    >>> from bmlib.explore.maxwell import MaxwellExplorer
    >>> lab = MaxwellExplorer(T=300, gas="N2", molecules_per_frame=1000, seed=0)
    >>> lab.advance(20)
    >>> lab.n, round(lab.exact["<v>"], 1)
    (20000, 476.2)
    """

    def __init__(self, T=300.0, gas="N2", molecules_per_frame=200, seed=0, history=300):
        self.history = _display.history_length(history)
        self._generator = rng.as_generator(seed)
        self._drawing = None  # the live image's figure (see image), made when first needed
        self.T, self.gas, self.molecules_per_frame = 300.0, "N2", 1
        self.set(T=T, gas=gas, molecules_per_frame=molecules_per_frame)
        self.new_sample()

    # -- controls ---------------------------------------------------------------------------

    def controls(self):
        """The widgets' specification: name -> ("float", low, high, step) / ("int", low, high)
        / ("choice", options)."""
        return {
            "T": ("float", T_LOW, T_HIGH, 10.0),
            "gas": ("choice", tuple(maxwell.GASES)),
            "molecules_per_frame": ("int", 10, 5000),
        }

    def actions(self):
        """The buttons: label -> what they do."""
        return {"new sample": self.new_sample}

    def set(self, **values):
        """Change any of T, gas, molecules_per_frame (checked); a new T or gas starts a new sample."""
        self._refuse_unknown(values)
        T = _validate.temperature("T", values.get("T", self.T))
        if not T_LOW <= T <= T_HIGH:
            raise ValueError(f"T must be between {T_LOW:g} and {T_HIGH:g} K, got {T:g}")
        gas = values.get("gas", self.gas)
        if not isinstance(gas, str):
            raise TypeError(f"gas must be a formula such as 'N2' (a str), got {type(gas).__name__}")
        if gas not in maxwell.GASES:
            raise ValueError(f"gas must be one of {', '.join(maxwell.GASES)}, got {gas!r}")
        per_frame = values.get("molecules_per_frame", self.molecules_per_frame)
        per_frame = _validate.count("molecules_per_frame", per_frame, maximum=MAX_PER_FRAME)
        if per_frame < 1:
            raise ValueError(f"molecules_per_frame must be at least 1, got {per_frame}")
        new_sample = (T, gas) != (self.T, self.gas)
        self.T, self.gas, self.molecules_per_frame = T, gas, per_frame
        if new_sample:
            self._drawing = None  # new axes, new curves: the live image's figure is made again
            self.new_sample()

    def new_sample(self):
        """Forget the molecules drawn so far (the traces start again too)."""
        gas = maxwell.GASES[self.gas]
        self.exact = {
            "v_p": maxwell.most_probable_speed(self.T, gas),
            "<v>": maxwell.mean_speed(self.T, gas),
            "v_rms": maxwell.rms_speed(self.T, gas),
        }
        # the standard deviation of one speed: sigma^2 = <v^2> - <v>^2 = (3 - 8/pi) k_B T / m
        self.sigma = float(np.sqrt(self.exact["v_rms"] ** 2 - self.exact["<v>"] ** 2))
        self.edges = np.linspace(0.0, _rounded_up(3.0 * maxwell.most_probable_speed(T_HIGH, gas)), N_BINS + 1)
        self.counts = np.zeros(N_BINS, dtype=np.int64)  # speeds beyond the last edge count in n only
        self.n, self.frame, self._sum, self._sum_of_squares = 0, 0, 0.0, 0.0
        self.sizes, self.means, self.rms_speeds, self.z_scores = [], [], [], []

    # -- the sampling -------------------------------------------------------------------------

    def advance(self, n_frames=1):
        """Draw ``molecules_per_frame`` speeds per frame, ``n_frames`` times, and add them up."""
        n_frames = _validate.count("n_frames", n_frames, maximum=10**6)
        gas, width = maxwell.GASES[self.gas], self.edges[1]
        for _ in range(n_frames):
            speeds = maxwell.sample_speeds(self.molecules_per_frame, self.T, gas, seed=self._generator)
            bins = (speeds / width).astype(np.int64)  # speeds >= 0: the bin is floor(v / width)
            self.counts += np.bincount(bins[bins < N_BINS], minlength=N_BINS)
            self.n += speeds.size
            self._sum += speeds.sum()
            self._sum_of_squares += (speeds * speeds).sum()
            self.frame += 1
            self._measure()

    def _measure(self):
        mean = self._sum / self.n
        self.sizes.append(self.n)
        self.means.append(mean)
        self.rms_speeds.append(np.sqrt(self._sum_of_squares / self.n))
        self.z_scores.append((mean - self.exact["<v>"]) / (self.sigma / np.sqrt(self.n)))
        for trace in (self.sizes, self.means, self.rms_speeds, self.z_scores):
            del trace[: -self.history]

    def density(self):
        """The histogram as a density in per km/s (like f(v) in the chapter's figures): for each
        bin, the fraction of all n molecules in it divided by its width."""
        return 1000.0 * self.counts / (max(self.n, 1) * self.edges[1])

    # -- what is drawn --------------------------------------------------------------------------

    def _draw(self, ax):
        """The axes of the current gas and T: bars, the exact f(v), the three speeds; returns the bars."""
        gas, top = maxwell.GASES[self.gas], self.edges[-1]
        v = np.linspace(0.0, top, 400)
        bars = ax.stairs(self.density(), self.edges, fill=True, color="0.75", label="sampled")
        ax.plot(v, 1000.0 * maxwell.speed_pdf(v, self.T, gas), color="C0", label="exact $f(v)$")
        for (name, speed), color in zip(self.exact.items(), ["C1", "C3", "C2"], strict=True):
            ax.axvline(
                speed, color=color, linestyle="--", linewidth=1.2, label=f"{SYMBOLS[name]} = {speed:.0f} m/s"
            )
        peak = 1000.0 * maxwell.speed_pdf(maxwell.most_probable_speed(T_LOW, gas), T_LOW, gas)
        ax.set_xlim(0.0, top)
        ax.set_ylim(0.0, 1.15 * peak)
        ax.set_xlabel("speed $v$ (m/s)")
        ax.set_ylabel("$f(v)$ (per km/s)")
        ax.legend(loc="upper right")
        return bars

    def _title(self):
        return f"{self.gas} at {self.T:.0f} K: {self.n:,} molecules"

    def image(self):
        """The live histogram, an RGBA image of 480 x 320 pixels (of shape (320, 480, 4)).

        The figure is made once per gas and T; a frame only redraws the bars, the curves over
        them and the title onto a saved picture of the rest (blitting), which skips laying out
        and drawing the text. (The legend is part of that picture: bars tall enough to reach it,
        possible in the first frames of a tiny sample, are drawn over it.)"""
        if self._drawing is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            with mpl.rc_context({**plotting.STYLE, "font.size": 8, "legend.fontsize": 8}):
                figure = Figure(figsize=(4.8, 3.2), dpi=100, layout="none")
                FigureCanvasAgg(figure)
                ax = figure.add_subplot()
                figure.subplots_adjust(left=0.11, right=0.97, bottom=0.13, top=0.92)
                moving = [self._draw(ax), *ax.lines, ax.set_title(" ")]
                for artist in moving:
                    artist.set_animated(True)  # left out of the saved picture
                figure.canvas.draw()
            self._drawing = (figure, ax, moving, figure.canvas.copy_from_bbox(figure.bbox))
        figure, ax, moving, background = self._drawing
        figure.canvas.restore_region(background)
        moving[0].set_data(self.density())
        moving[-1].set_text(self._title())
        for artist in moving:
            ax.draw_artist(artist)
        return np.array(figure.canvas.buffer_rgba())

    def traces(self):
        """The sample's mean and rms speed (their exact values dashed), and the mean's z-score."""
        mean, rms = self.exact["<v>"], self.exact["v_rms"]
        return {
            "mean speed (m/s)": (self.means, mean, (0.9 * mean, 1.1 * mean)),
            "rms speed (m/s)": (self.rms_speeds, rms, (0.9 * rms, 1.1 * rms)),
            "z of the mean": (self.z_scores, 0.0, (-4.0, 4.0)),
        }

    def figure(self, n_frames=150):
        """A static figure after ``n_frames`` more frames: the histogram, and the sample mean
        closing in on <v> inside its +-2 standard errors, +-2 sigma / sqrt(n)."""
        import matplotlib.pyplot as plt

        self.advance(n_frames)
        fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 3.8))
        self._draw(left)
        left.set_title(self._title())
        mean, sizes = self.exact["<v>"], np.array(self.sizes, dtype=float)
        band = 2.0 * self.sigma / np.sqrt(sizes)
        right.fill_between(sizes, mean - band, mean + band, color="C0", alpha=0.2, label="±2 standard errors")
        right.plot(sizes, self.means, color="C0", label="sample mean")
        right.axhline(mean, color="C3", linestyle="--", label=rf"exact $\langle v\rangle$ = {mean:.1f} m/s")
        right.set_xscale("log")
        right.set_xlabel("molecules drawn $n$")
        right.set_ylabel("mean speed (m/s)")
        right.set_title(r"the error bar shrinks like $1/\sqrt{n}$")
        right.legend(loc="upper right")
        fig.suptitle(f"Sampling {self.gas} at {self.T:.0f} K, {self.molecules_per_frame} molecules a frame")
        return fig

    def __getstate__(self):
        # a copy (``_display.show`` keeps one for the animation) draws its own figure when asked
        return {**self.__dict__, "_drawing": None}
