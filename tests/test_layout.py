"""bmlib's layout keeps the promise of CONTRIBUTING.md's "Reading bmlib": teaching modules a student
can read, the machine-level speed work in private modules, modules that use each other through
public names, no kernel with more than 10 arguments, and a reading table whose line counts are
the files' own.

Run as a script to print CONTRIBUTING.md's reading table from the files as they are::

    python tests/test_layout.py
"""

import ast
import re
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE = REPOSITORY / "bmlib"

# The order in which to read the teaching modules, and what each holds. The first group is the
# path through the algorithms the chapters teach; the second, the exact references the tests and
# notebooks hold them to, and what the notebooks use around them.
CORE = [
    ("bmlib/rng.py", "the seed rule and the xoshiro256** streams every kernel draws from"),
    ("bmlib/stats.py", "`sigmoid`, `logsumexp`; autocorrelation, blocking and jackknife error bars, R̂"),
    ("bmlib/ising/lattice.py", "spins, energy and magnetization of the 2D Ising model"),
    ("bmlib/ising/metropolis.py", "checkerboard Metropolis, site by site (`metropolis_reference`)"),
    ("bmlib/ising/wolff.py", "Wolff single-cluster updates"),
    ("bmlib/bm/sampling.py", "Gibbs sweeps of a Boltzmann machine (`gibbs_reference`), annealing"),
    ("bmlib/bm/learning.py", "the Boltzmann machine learning rule (`BoltzmannMachine`)"),
    ("bmlib/rbm/model.py", "the RBM: energy, free energy, the two conditionals, block Gibbs"),
    ("bmlib/rbm/bundles.py", "the named groups of arrays the training kernels take"),
    ("bmlib/rbm/training.py", "the CD-k / PCD-k minibatch update (`cd_reference`)"),
    ("bmlib/rbm/ais.py", "annealed importance sampling of log Z, one run written out (`ais_run_reference`)"),
]
FURTHER = [
    ("bmlib/exact.py", "all 2^n states in Gray-code order: exact log Z, distributions, moments, KL"),
    ("bmlib/maxwell.py", "the Maxwell–Boltzmann distribution and Boltzmann probabilities (chapter 01)"),
    ("bmlib/ising/simulation.py", "`simulate`: averages over temperatures with error bars"),
    ("bmlib/ising/exact_results.py", "Onsager's and Yang's results; exact 4 × 4 enumeration"),
    ("bmlib/ising/glass.py", "spin glasses and simulated annealing"),
    ("bmlib/bm/hopfield.py", "Hopfield networks"),
    ("bmlib/rbm/tempering.py", "parallel tempering as the negative phase"),
    ("bmlib/rbm/evaluation.py", "exact log Z, log-likelihood of binary data, pseudo-likelihood"),
    ("bmlib/rbm/estimator.py", "`RBM`, with scikit-learn's conventions"),
    ("bmlib/rbm/sharing.py", "weight sharing over lattice symmetries"),
    ("bmlib/datasets.py", "bars and stripes, digits, MNIST files, Ising configurations as data"),
    ("bmlib/explore/maxwell.py", "the Maxwell–Boltzmann explorer: speeds filling a histogram (chapter 01)"),
    ("bmlib/explore/ising.py", "the Ising explorer: a lattice with T and h sliders (chapter 02)"),
    ("bmlib/explore/annealing.py", "the annealing explorer: a spin glass cooled live (chapter 03)"),
    ("bmlib/explore/fantasies.py", "the fantasies explorer: an RBM's Gibbs chains live (chapter 06)"),
]
# Tooling the notebooks call but no chapter teaches: not in the reading order.
TOOLING = {"plotting.py", "progress.py", "figures.py", "student.py", "__init__.py"}

TEACHING_LIMIT = 650  # the "no teaching module longer than about 600 lines"
MAX_KERNEL_ARGUMENTS = 10
MACHINE_LEVEL = ("numba.extending.intrinsic", "llvmlite", "numba.core.cgutils")


def _lines(relative):
    return len((REPOSITORY / relative).read_text().splitlines())


def _is_private(path):
    return any(part.startswith("_") and part != "__init__.py" for part in path.relative_to(PACKAGE).parts)


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _teaching_modules():
    return [p for p in _modules() if not _is_private(p) and p.name not in TOOLING]


def reading_table():
    rows = ["| | module | lines | what it holds |", "|---|---|---|---|"]
    for number, (path, what) in enumerate(CORE + FURTHER, start=1):
        rows.append(f"| {number} | `{path.removeprefix('bmlib/')}` | {_lines(path)} | {what} |")
    core = sum(_lines(path) for path, _ in CORE)
    everything = core + sum(_lines(path) for path, _ in FURTHER)
    return "\n".join(rows), core, everything


def test_the_reading_order_covers_every_teaching_module():
    listed = [REPOSITORY / path for path, _ in CORE + FURTHER]
    assert len(set(listed)) == len(listed)
    assert sorted(listed) == _teaching_modules()


def test_the_contributing_reading_table_is_the_files_as_they_are():
    guide = (REPOSITORY / "CONTRIBUTING.md").read_text()
    table, core, everything = reading_table()
    assert table in guide, (
        "CONTRIBUTING.md's reading table is stale: paste python tests/test_layout.py's output"
    )
    assert f"{core:,} lines" in guide and f"{everything:,} lines" in guide


def test_no_teaching_module_is_longer_than_about_600_lines():
    lengths = {str(p.relative_to(REPOSITORY)): _lines(p) for p in _teaching_modules()}
    assert not {path: n for path, n in lengths.items() if n > TEACHING_LIMIT}


def test_machine_level_code_stays_in_the_private_modules():
    for path in _teaching_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            assert not any(name.startswith(MACHINE_LEVEL) for name in names), (path, names)


def test_no_kernel_takes_more_than_10_arguments():
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                jitted = any("jit" in ast.unparse(decorator) for decorator in node.decorator_list)
                assert not (jitted and len(arguments) > MAX_KERNEL_ARGUMENTS), (path.name, node.name)


def test_modules_use_each_other_through_public_names():
    # `from bmlib.x import _name` and `x._name` on an imported bmlib module are what the rule forbids;
    # a private module (bmlib/_simd.py, bmlib/rbm/_fused.py) is itself imported by name.
    for path in _modules():
        tree = ast.parse(path.read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bmlib"):
                for alias in node.names:
                    folder = PACKAGE.parent / node.module.replace(".", "/")
                    if (folder / f"{alias.name}.py").exists():
                        imported.add(alias.asname or alias.name)
                    else:
                        assert not re.match(r"_[^_]", alias.name), (path.name, node.module, alias.name)
        for node in ast.walk(tree):
            on_module = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if on_module and node.value.id in imported:
                assert not re.match(r"_[^_]", node.attr), (path.name, node.value.id, node.attr, node.lineno)


if __name__ == "__main__":
    table, core, everything = reading_table()
    print(table)
    print(f"\ncore: {core:,} lines; core and further: {everything:,} lines", file=sys.stderr)
