"""The portable leg really runs on its own code path.

``make test-portable`` re-runs every notebook with Numba compiling for a generic x86-64 CPU,
NumPy's runtime dispatch held to its baseline and one Numba thread (see the Makefile). These
checks fail if those settings did not take effect, so that leg cannot quietly repeat
``make test``. In ``make test`` itself they are skipped.
"""

import os
import re

import numba
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("BMLIB_TEST_LEG") != "portable", reason="only in the portable leg (make test-portable)"
)


def test_numba_compiles_for_a_generic_cpu_with_one_thread():
    assert numba.config.CPU_NAME == "generic"
    assert numba.config.CPU_FEATURES == ""
    assert numba.config.NUMBA_NUM_THREADS == 1 and numba.get_num_threads() == 1
    assert os.environ.get("NUMBA_CACHE_DIR"), "the generic code needs a cache folder of its own"

    @numba.njit
    def scaled_sum(x, y):
        total = 0.0
        for i in range(x.size):
            total += 2.5 * x[i] + y[i]
        return total

    x = np.arange(1000.0)
    assert scaled_sum(x, x) == 3.5 * x.sum()
    assembly = next(iter(scaled_sum.inspect_asm().values()))
    # AVX (VEX/EVEX-encoded) instructions all start with v: vaddsd, vmovupd, vfmadd231pd, ...
    avx = re.findall(r"^\s+(v[a-z0-9]+)\s", assembly, flags=re.M)
    assert not avx, f"AVX instructions in code for a generic CPU: {sorted(set(avx))[:5]}"


def test_numpy_dispatches_to_nothing_beyond_its_baseline():
    simd = np.show_config(mode="dicts")["SIMD Extensions"]
    assert simd.get("found", []) == [], f"NumPy still dispatches to {simd['found']}"
