"""Progress lines for long loops: shown when a person is watching, silent otherwise.

"Watching" means a terminal, or a Jupyter kernel whose frontend accepts input (JupyterLab,
Notebook). nbval, nbclient and ``make figures`` execute cells with ``allow_stdin=False``,
so stored notebook outputs never contain progress text and re-runs stay byte-identical.
"""

import sys

import numpy as np

from bmlib import _validate

__all__ = ["interactive", "Progress"]


def interactive():
    """True in a terminal, or in a Jupyter kernel whose frontend accepts input."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    kernel = getattr(shell, "kernel", None) if shell is not None else None
    if kernel is not None:
        # nbval and nbclient execute cells with allow_stdin=False; a person's frontend allows it
        return bool(getattr(kernel, "_allow_stdin", False))
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A one-line progress bar on stderr, redrawn in place.

    Parameters
    ----------
    total : int
        Number of steps.
    label : str
        What is being counted ("RBM epoch", "temperature").
    verbose : bool or "auto"
        "auto" shows the bar only when :func:`interactive` says someone is watching.
    """

    def __init__(self, total, label, verbose="auto"):
        self.total = _validate.count("total", total)
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__} {_validate.show(label)}")
        self.label = label
        self.done = 0
        if isinstance(verbose, str) and verbose == "auto":
            self.show = interactive()
        elif isinstance(verbose, (bool, np.bool_)):
            self.show = bool(verbose)
        else:
            raise TypeError(f'verbose must be True, False or "auto", got {_validate.show(verbose)}')
        self.stream = sys.stderr

    def update(self, note=""):
        """Count one more step and redraw; ``note`` is appended (a current loss, a temperature)."""
        self.done += 1
        if not self.show:
            return
        bar = "#" * (20 * self.done // max(self.total, 1))
        self.stream.write(f"\r{self.label} {self.done}/{self.total} [{bar:<20}] {note}")
        self.stream.flush()

    def close(self):
        """End the line (only if anything was drawn)."""
        if self.show and self.done:
            self.stream.write("\n")
            self.stream.flush()
