"""Explorers: the chapters' models running live, with sliders, in JupyterLab.

One module per chapter's explorer:

``maxwell.py``
    :class:`MaxwellExplorer` (chapter 01): molecular speeds drawn frame by frame, their
    histogram settling onto the Maxwell–Boltzmann density, for any gas and temperature.
``ising.py``
    :class:`IsingExplorer` (chapter 02): an L x L lattice with temperature, field, Metropolis
    or Wolff, quenches from random or ordered, and E/N and |M|/N against Onsager.
``annealing.py``
    :class:`AnnealingExplorer` (chapter 03): a small spin glass cooled live, fast or slowly,
    its energy against the ground state found by trying every state.
``fantasies.py``
    :class:`FantasyExplorer` (chapter 06): Gibbs chains of a trained RBM stepping live, with
    the Gibbs steps per frame and a temperature.

Every explorer is a small object with the same parts (a subclass of ``_display.Explorer``, which
gives it ``show``), usable without any widgets (the tests drive them this way):

- ``set(**controls)`` changes a control (checked as every bmlib argument is), ``advance(n)``
  runs n frames, and its ``actions()`` are the buttons (a quench, a new sample);
- ``image()`` and ``traces()`` say what a frame shows; ``figure()`` draws a static figure;
- ``show(name=None)`` puts it on screen: live widgets when a person is watching
  (:func:`bmlib.progress.interactive`), otherwise the static figure from the explorer's seed,
  so nbval and ``make figures`` store the same bytes on every run. With ``name`` the static
  figure is saved as ``figures/<name>.png`` with an animated ``figures/<name>.gif`` of its first
  frames, which the course website shows where no kernel runs.

``_display.py`` (private) holds the widgets, the PNG and SVG drawing and the animation writer.
"""

from bmlib.explore.annealing import AnnealingExplorer
from bmlib.explore.fantasies import FantasyExplorer
from bmlib.explore.ising import IsingExplorer
from bmlib.explore.maxwell import MaxwellExplorer

__all__ = ["MaxwellExplorer", "IsingExplorer", "AnnealingExplorer", "FantasyExplorer"]
