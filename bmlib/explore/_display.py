"""How an explorer is shown (private): live widgets for a person, a static figure otherwise.

An explorer (see :mod:`bmlib.explore`) only knows its state: it advances a frame at a time,
takes new control values, and says what to draw (an image, traces). This module turns that into

- :func:`live`: ipywidgets, when :func:`bmlib.progress.interactive` says a person is watching.
  A ``Play`` widget ticks in the browser; each tick advances the explorer one frame in the
  kernel and redraws the image (a PNG) and the traces (an SVG), so the kernel is free between
  frames and the sliders act at once;
- :func:`static`: one matplotlib figure from a fixed seed, for nbval, ``make figures`` and any
  kernel without a person's frontend, so stored outputs stay byte-identical;
- :func:`save_animation`: an animated GIF of the first frames, written next to the course's
  figures for the website, where no kernel runs.
"""

import copy
import io
import threading
import time

import numpy as np

from bmlib import _validate, plotting, progress

__all__ = [
    "Explorer",
    "history_length",
    "widgets_of",
    "figure_png",
    "png",
    "svg_traces",
    "live",
    "static",
    "save_animation",
    "show",
]

FRAME_MS = 33  # the Play widget's tick: about 30 frames a second
VIEW_PIXELS = 384  # the live image is scaled up by a whole factor to at least this size


class Explorer:
    """What every explorer shares: :meth:`show`, and the website animation's default length.

    A subclass provides ``controls``, ``actions``, ``set``, ``advance``, ``image``, ``traces``
    and ``figure`` (see :mod:`bmlib.explore`).
    """

    def animation(self):
        """The website's animation: how many frames, one every how many (and how many pixels)."""
        return {"n_frames": 60, "every": 1}

    def show(self, name=None):
        """Widgets in JupyterLab; a static figure (and, with ``name``, saved files) otherwise."""
        show(self, name)

    def _refuse_unknown(self, values):
        """``set``'s first check: every name in ``values`` is one of :meth:`controls`."""
        unknown = set(values) - set(self.controls())
        if unknown:
            raise TypeError(f"unknown control(s) {sorted(unknown)}; the controls are {list(self.controls())}")


def history_length(history):
    """``history`` (frames kept in the traces) checked: an integer >= 2."""
    history = _validate.count("history", history)
    if history < 2:
        raise ValueError(f"history must be at least 2 frames, got {history}")
    return history


def widgets_of(view, kind):
    """The widgets of type ``kind`` inside ``view`` (depth first), to drive a view from code."""
    found = [view] if isinstance(view, kind) else []
    for child in getattr(view, "children", ()):
        found += widgets_of(child, kind)
    return found


def figure_png(figure):
    """PNG bytes of a matplotlib figure, as :func:`bmlib.plotting.savefig` writes them."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _grey(image):
    """An image as 8-bit pixels, "on" dark as in the chapters' figures: +-1 spins (int8) black
    for +1 and white for -1; floats in [0, 1] from white (0) to black (1); uint8 RGB or RGBA
    images of shape (height, width, 3 or 4), such as a matplotlib canvas, as they are."""
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 3:
        return image[:, :, :3]
    if image.dtype == np.int8:
        return np.where(image > 0, 0, 255).astype(np.uint8)
    return np.round((1.0 - np.clip(image, 0.0, 1.0)) * 255.0).astype(np.uint8)


def _enlarged(pixels_array, pixels=VIEW_PIXELS):
    """Each pixel repeated into a square block, so the image is at least ``pixels`` on a side."""
    factor = max(1, -(-pixels // max(pixels_array.shape[:2])))
    return pixels_array.repeat(factor, axis=0).repeat(factor, axis=1) if factor > 1 else pixels_array


def png(image, pixels=VIEW_PIXELS):
    """PNG bytes of an image (see :func:`_grey`), enlarged to at least ``pixels`` on a side."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(_enlarged(_grey(image), pixels)).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def svg_traces(traces, width=360, height=90):
    """An SVG of small line plots, one per trace: ``{label: (values, reference or None, (lo, hi))}``;
    the reference (an exact value) is a dashed line."""
    parts = []
    for label, (values, reference, (lo, hi)) in traces.items():
        values = np.asarray(values, dtype=float)
        scale = (height - 20) / (hi - lo)
        lines = [
            f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
            f'<rect width="{width}" height="{height}" fill="white" stroke="#ccc"/>',
        ]
        if reference is not None and lo <= reference <= hi:
            y = height - 10 - (reference - lo) * scale
            lines.append(
                f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" '
                'stroke="#d62728" stroke-dasharray="4 3"/>'
            )
        if len(values) > 1:
            x = np.linspace(0, width, len(values))
            y = height - 10 - (np.clip(values, lo, hi) - lo) * scale
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
            lines.append(f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
        now = f"{values[-1]:.3f}" if len(values) else "–"
        lines.append(f'<text x="6" y="14" font-size="12" font-family="sans-serif">{label} = {now}</text>')
        lines.append("</svg>")
        parts.append("".join(lines))
    return "<div>" + "<br>".join(parts) + "</div>"


def _control(name, spec, value):
    import ipywidgets as widgets

    kind, options = spec[0], spec[1:]
    style = {"description_width": "initial"}
    if kind == "float":
        low, high, step = options
        return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name, style=style)
    if kind == "int":
        low, high = options
        return widgets.IntSlider(value=value, min=low, max=high, description=name, style=style)
    if kind == "levels":  # a few ordered values: a slider that stops at each
        return widgets.SelectionSlider(value=value, options=list(options[0]), description=name, style=style)
    return widgets.Dropdown(value=value, options=list(options[0]), description=name, style=style)


def live(explorer):
    """The explorer as widgets: controls, Play/pause, the image, the traces and a frame rate."""
    import ipywidgets as widgets

    # the image goes to the browser at its own size and is enlarged there, pixels kept sharp
    first = _grey(explorer.image())
    factor = max(1, -(-VIEW_PIXELS // max(first.shape[:2])))
    height, width = first.shape[0] * factor, first.shape[1] * factor
    image = widgets.Image(value=png(first, pixels=0), format="png")
    image.layout = widgets.Layout(width=f"{width}px", height=f"{height}px", min_width=f"{width}px")
    image.add_class("bmlib-pixelated")
    sharp = widgets.HTML("<style>.bmlib-pixelated { image-rendering: pixelated; }</style>")
    traces = widgets.HTML(svg_traces(explorer.traces()))
    rate = widgets.Label("")
    message = widgets.HTML("")  # why a control was refused (Wolff with a field, say)
    # Play starts and stops a thread of the kernel that runs the frames, about FRAME_MS apart:
    # the browser then only draws what arrives, with no round trip per frame (a Play ticking
    # the kernel from the browser's timer measured 16 frames a second in JupyterLab where the
    # thread gives 24-30). Setting its value steps one frame (as the tests do).
    play = widgets.Play(value=0, min=0, max=10**9, interval=10**9, show_repeat=False, description="run")
    clock = {"last": time.perf_counter(), "frames": 0, "busy": 0.0}
    lock = threading.Lock()  # a frame, a control change and a button never run at once

    def redraw():
        image.value = png(explorer.image(), pixels=0)
        traces.value = svg_traces(explorer.traces())

    def frame():
        start = time.perf_counter()
        with lock:
            explorer.advance(1)
            redraw()
        clock["frames"] += 1
        clock["busy"] += time.perf_counter() - start
        now = time.perf_counter()
        if now - clock["last"] > 1.0:  # frames shown a second, and the kernel's share of a frame
            per_frame = 1e3 * clock["busy"] / clock["frames"]
            rate.value = (
                f"{clock['frames'] / (now - clock['last']):.0f} frames/s ({per_frame:.0f} ms in the kernel)"
            )
            clock.update(last=now, frames=0, busy=0.0)
        return time.perf_counter() - start

    def run():
        while play.playing:
            time.sleep(max(0.0, FRAME_MS / 1e3 - frame()))

    def playing(change):
        if change["new"]:
            clock.update(last=time.perf_counter(), frames=0, busy=0.0)
            threading.Thread(target=run, daemon=True).start()

    def step(change):
        if change["new"] > change["old"]:  # (stop sets the value back to 0: no frame)
            frame()

    play.observe(playing, names="playing")
    play.observe(step, names="value")
    controls, reverting = [], []  # (reverting: a refused value is being put back)
    for name, spec in explorer.controls().items():
        control = _control(name, spec, getattr(explorer, name))

        def changed(change, name=name):
            if reverting:
                return
            with lock:
                try:
                    explorer.set(**{name: change["new"]})
                except (TypeError, ValueError) as err:  # say why, and put the control back
                    message.value = str(err)
                    reverting.append(True)
                    change["owner"].value = change["old"]
                    reverting.clear()
                    return
                message.value = ""
                redraw()

        control.observe(changed, names="value")
        controls.append(control)
    buttons = []
    for label, action in explorer.actions().items():
        button = widgets.Button(description=label)

        def clicked(_, action=action):
            with lock:
                action()
                redraw()

        button.on_click(clicked)
        buttons.append(button)
    panel = widgets.VBox([*controls, widgets.HBox([play, rate]), widgets.HBox(buttons), message, traces])
    return widgets.HBox([sharp, image, panel])


def static(explorer):
    """The explorer's static figure (its ``figure()``), in the course's style."""
    plotting.use_style()
    return explorer.figure()


def save_animation(explorer, name, n_frames, every=1, pixels=256, frame_ms=80):
    """Write ``figures/<name>.gif``: ``n_frames`` images, one every ``every`` frames, from the
    explorer's current state (which it advances); the same bytes on every run. Returns the path."""
    from PIL import Image

    frames = []
    for index in range(n_frames):
        if index:
            explorer.advance(every)
        frames.append(Image.fromarray(_enlarged(_grey(explorer.image()), pixels)))
    path = plotting.figure_path(name, ".gif")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=frame_ms, loop=0, optimize=False)
    return path


def show(explorer, name=None):
    """Widgets when a person is watching. Otherwise the static figure, shown and, when ``name``
    is given, saved as ``figures/<name>.png`` with the website's animation ``figures/<name>.gif``
    (made from a copy of the explorer as it was, so the figure and the animation both start
    from the explorer's seed)."""
    if progress.interactive():
        try:
            view = live(explorer)
        except ImportError as err:  # bmlib without its "explore" extra: say so, draw the figure
            print(f"no live view ({err}; pip install ipywidgets); the static figure instead:")
        else:
            from IPython.display import display

            display(view)
            return
    import matplotlib.pyplot as plt

    start = copy.deepcopy(explorer)
    figure = static(explorer)
    if name is not None:
        plotting.savefig(figure, name)
        save_animation(start, name, **explorer.animation())
    plt.show()
