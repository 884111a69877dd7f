"""Timing helpers shared by the benchmark scripts (run them as `python benchmarks/bench_*.py`)."""

import os
import platform
import time

import numba
import numpy as np


def best_time(function, repeat=5):
    """Best wall-clock time of ``repeat`` calls, in seconds (after one warm-up call)."""
    function()
    times = []
    for _ in range(repeat):
        tic = time.perf_counter()
        function()
        times.append(time.perf_counter() - tic)
    return min(times)


def alternating(functions, rounds=5):
    """Time the functions in turn, ``rounds`` times (after one warm-up call each).

    Returns a list of arrays of seconds, one per function and one entry per round.
    """
    for function in functions:
        function()
    times = [[] for _ in functions]
    for _ in range(rounds):
        for function, record in zip(functions, times, strict=True):
            tic = time.perf_counter()
            function()
            record.append(time.perf_counter() - tic)
    return [np.array(t) for t in times]


def processor():
    """The processor's model name and widest vector unit (Linux), to quote ratios with."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            text = cpuinfo.read()
    except OSError:
        return platform.processor() or platform.machine()
    names = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")]
    vector = "AVX-512" if " avx512f" in text else "AVX2" if " avx2" in text else "no AVX2"
    return f"{names[0] if names else platform.machine()} ({vector})"


def header(title):
    print(title)
    print(f"  {processor()}")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"{os.cpu_count()} cpu(s), {numba.get_num_threads()} numba thread(s)"
    )


def row(label, seconds, per, unit_count, baseline_seconds=None):
    """Print one line: time per item in ns and, if given, the speed-up over the baseline."""
    ratio = f"{baseline_seconds / seconds:6.1f}x" if baseline_seconds else "  (baseline)"
    print(f"  {label:<44} {1e9 * seconds / unit_count:8.2f} ns/{per}  {ratio}")
