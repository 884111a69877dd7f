"""The course map: what each chapter teaches, and how long it takes to read.

One source for the table in README.md and on the website's landing page. Run it to print the
README's table from the notebooks as they are::

    python tools/course_map.py

Reading time is an estimate computed from the notebook itself, so that it follows the text when
the text changes: the words of its markdown cells at READING_SPEED words a minute, plus
MINUTES_PER_CODE_CELL for each code cell (reading the code and what it printed or drew), rounded
up to the next ROUND_TO minutes. Solutions (cells nbgrader marks as solutions) are left out of
both counts, and so is the time spent on the exercises, which varies too much to state.
"""

import json
import math
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPOSITORY / "notebooks"

READING_SPEED = 150  # words a minute: a technical text with equations, read with care
MINUTES_PER_CODE_CELL = 0.5
ROUND_TO = 5

# What each chapter teaches, in course order (the notebook's own title is read from its first cell).
CHAPTERS = {
    "01_maxwell_boltzmann": (
        "Maxwell–Boltzmann speeds and how they move with T and mass; sampling and testing a sampler; "
        "the Boltzmann distribution, the partition function Z, a three-level system; log-sum-exp; "
        "a live speed histogram to heat and change the gas of"
    ),
    "02_ising_model": (
        "spins and couplings; Metropolis from detailed balance; snapshots around T_c; E, \\|M\\|, C, χ "
        "against Onsager with honest error bars; T_c from Binder cumulants; Wolff clusters and critical "
        "slowing down, live on a lattice you drive; a 4 × 4 lattice checked against all 65,536 states"
    ),
    "03_spin_glasses_and_annealing": (
        "frustration; the Sherrington–Kirkpatrick glass; quench vs simulated annealing and the cooling "
        "rate; max-cut written as an energy and solved by annealing, checked by brute force; a glass "
        "cooled live"
    ),
    "04_hopfield_to_boltzmann": (
        "memories as energy minima (Hebb's rule, recall, capacity); stochastic units, p_on = σ(ΔE/T) "
        "derived; Gibbs sampling checked against exact enumeration; annealing escapes the traps of "
        "deterministic descent"
    ),
    "05_boltzmann_machine_learning": (
        "KL(P⁺‖P⁻) and its gradient ⟨sᵢsⱼ⟩₊ − ⟨sᵢsⱼ⟩₋; clamped and free phases; learning 10-pixel "
        "images without hidden units; the 4-2-4 encoder with hidden units"
    ),
    "06_rbm_contrastive_divergence": (
        'factorised conditionals; the free energy checked by brute force; what "contrastive '
        'divergence" means; the CD-k step by hand and by bmlib; training on digits: filters, '
        "reconstructions, fantasies; what k means, why reconstruction error is not the likelihood, "
        'why a CD "loss" goes negative; the model\'s Gibbs chains live, with k and a temperature'
    ),
    "07_evaluating_rbms": (
        "CD-1, CD-10, PCD and parallel tempering against the exact log-likelihood on "
        "bars-and-stripes, at equal updates and equal Gibbs steps, over seeds; AIS for log Z checked "
        "against exact enumeration, and where its error bar fails; which monitors track the "
        "likelihood; RBM features for classification next to scikit-learn's"
    ),
    "08_rbm_learns_ising": (
        "Monte Carlo configurations as data; RBMs with the lattice's symmetry built in (weight "
        "sharing), two per temperature around T_c; E, \\|M\\|, C and χ of their samples against Monte "
        "Carlo and Onsager; where it fails, how many hidden units it needs and what the symmetry buys; "
        "whether the chains have mixed (split R̂, effective sample size); the RBM as an energy model "
        "with effective multi-spin couplings; on a 4 × 4 lattice, the exact KL divergence between the "
        "Ising distribution and the RBM's (after Torlai and Melko 2016)"
    ),
}


def _cells(stem):
    return json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]


def _source(cell):
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def _is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def title(stem):
    """The notebook's title: the first line of its first cell, without the '#'."""
    return _source(_cells(stem)[0]).splitlines()[0].lstrip("#").strip()


def counts(stem):
    """(words of markdown, code cells, exercises) of a notebook, solutions left out."""
    cells = [cell for cell in _cells(stem) if not _is_solution(cell)]
    words = sum(len(_source(cell).split()) for cell in cells if cell["cell_type"] == "markdown")
    code = sum(1 for cell in cells if cell["cell_type"] == "code")
    exercises = sum(
        1 for cell in cells if cell["cell_type"] == "markdown" and _source(cell).startswith("### Exercise")
    )
    return words, code, exercises


def reading_minutes(stem):
    words, code, _ = counts(stem)
    minutes = words / READING_SPEED + code * MINUTES_PER_CODE_CELL
    return ROUND_TO * math.ceil(minutes / ROUND_TO)


def course_map(link):
    """The course map as a markdown table; ``link(stem)`` gives the target of each chapter's link."""
    missing = sorted({path.stem for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")} - set(CHAPTERS))
    assert not missing, f"notebooks with no entry in tools/course_map.py: {missing}"
    rows = ["| chapter | what you learn | reading | exercises |", "|---|---|---|---|"]
    for stem, what in CHAPTERS.items():
        _, _, exercises = counts(stem)
        rows.append(f"| [{title(stem)}]({link(stem)}) | {what} | {reading_minutes(stem)} min | {exercises} |")
    total = sum(reading_minutes(stem) for stem in CHAPTERS)
    return "\n".join(rows), total


def readme_map():
    return course_map(lambda stem: f"notebooks/{stem}.ipynb")


if __name__ == "__main__":
    table, total = readme_map()
    print(table)
    print(f"\nreading time of the whole course: {total} min", file=sys.stderr)
    for stem in CHAPTERS:
        words, code, exercises = counts(stem)
        print(f"{stem}: {words} words, {code} code cells, {exercises} exercises", file=sys.stderr)
