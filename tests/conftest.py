"""Helpers shared by the test files (the harness itself is the root conftest.py)."""

import hashlib
import subprocess
import sys

import numpy as np
import pytest


class Digests:
    """sha256 digests of arrays, here and in a fresh Python process.

    Same-seed reproducibility is tested by computing a result in this process and in a new
    interpreter (nothing shared: no Numba dispatcher, no generator, no cache in memory) and
    comparing the digests of their bytes.
    """

    @staticmethod
    def of(*arrays):
        """The sha256 of the bytes of ``arrays``, one after the other (C order)."""
        digest = hashlib.sha256()
        for array in arrays:
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def in_fresh_process(self, code):
        """Run ``code`` in a new interpreter; it must leave its arrays in a tuple ``result``.
        Returns the digest of those arrays, as :meth:`of` computes it."""
        program = f"{code}\nimport hashlib, numpy\ndigest = hashlib.sha256()\n"
        program += "for a in result: digest.update(numpy.ascontiguousarray(a).tobytes())\n"
        program += "print(digest.hexdigest())\n"
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()


@pytest.fixture
def digests():
    return Digests()
