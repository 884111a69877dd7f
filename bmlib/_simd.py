"""Machine-level building blocks for bmlib's fast kernels (private: the speed work).

Nothing here is needed to understand an algorithm of the course. The teaching modules use
``np.exp`` and plain loops; the private fast kernels use these pieces to run the same
arithmetic in vector registers:

* :func:`fma`, :func:`float_bits`, :func:`bits_float`: LLVM's fused multiply-add and bit casts,
  written as Numba intrinsics.
* :func:`exp_nonpositive` and its three stages: an exp for x <= 0 that loops can vectorize,
  the same bits on every machine (no fast-math; every step rounds once).

Measured speeds are in ``benchmarks/`` and the README, not here.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["fma", "float_bits", "bits_float", "exp_nonpositive", "exp_reduce", "exp_polynomial", "exp_scale"]


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with one rounding (LLVM's llvm.fma: one instruction with FMA hardware, a correctly
    rounded libm call without it, so the result is the same bits on every machine)."""
    if not all(isinstance(x, types.Float) for x in (a, b, c)):
        return None

    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        function = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double] * 3)
        )
        return builder.call(function, [builder.fpext(x, double) if x.type != double else x for x in args])

    return types.float64(types.float64, types.float64, types.float64), codegen


@intrinsic
def float_bits(typingctx, x):
    """The 64 bits of a float64, as an int64 (a bit cast, no conversion)."""
    if not isinstance(x, types.Float):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def bits_float(typingctx, n):
    """The float64 whose 64 bits are those of the int64 ``n`` (a bit cast, no conversion)."""
    if not isinstance(n, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


_LOG2E = 1.4426950408889634
_LN2_HIGH = 0.6931471803691238  # ln 2 in two parts (Cody and Waite): n * _LN2_HIGH is exact
_LN2_LOW = 1.9082149292705877e-10
_ROUNDER = 6755399441055744.0  # 1.5 * 2^52: y + _ROUNDER rounds y to an integer kept in the low bits
_EXP_FLOOR = -708.0  # exp(-708) = 3.3e-308, just above the smallest normal float64
_EXP_C = [1.0 / float(np.prod(np.arange(1, k + 1))) for k in range(14)]  # 1 / k!
(_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13) = _EXP_C[2:]


@njit(cache=True, inline="always")
def exp_nonpositive(x):
    """exp(x) for x <= 0, branch-free, so that a loop of it vectorizes (inside ``@njit`` only).

    Numba's ``np.exp`` calls the scalar libm function (there is no SVML here), which no loop can
    vectorize; this one compiles to straight-line arithmetic that LLVM turns into vector code
    (``benchmarks/`` measures what that gains). exp(x) = 2^n exp(r) with
    n = round(x / ln 2) and |r| <= ln 2 / 2 (Cody-Waite reduction with fused multiply-adds);
    exp(r) is its Taylor polynomial of degree 13 (truncation error below 4e-18 relative),
    evaluated in Estrin's scheme (short dependency chains); 2^n is built in the exponent bits.

    Accuracy: within 1 ulp of the correctly rounded exp(x) for -708 <= x <= 0 (measured against
    ``np.exp`` on 2 million points of [-708, 0] and 10^5 points of [-1, -1e-300]: at most 1 ulp,
    relative error <= 2.3e-16; ``tests/test_eval.py``). Below -708, where exp(x) < 3.3e-308
    would be subnormal, it returns 0. Every step is IEEE arithmetic with one rounding (no
    fast-math), so the result is the same bits on every machine. For x > 0 the result is wrong:
    callers pass -|x|.
    """
    t, r = exp_reduce(x)
    return exp_scale(exp_polynomial(r), t, x)


# The three stages of exp_nonpositive, for kernels that run each stage as its own loop over an
# array (the RBM kernels' sigmoid blocks): one loop of the whole exp is a long chain of dependent operations,
# and three short loops let the processor overlap more elements at once. Same bits either way.


@njit(cache=True, inline="always")
def exp_reduce(x):
    """Stage 1 of :func:`exp_nonpositive`: (t, r) with t = n + 1.5 * 2^52, n = round(y / ln 2),
    y = max(x, -708), and r = y - n ln 2 (Cody-Waite, with fused multiply-adds)."""
    y = max(x, _EXP_FLOOR)
    t = fma(y, _LOG2E, _ROUNDER)
    n = t - _ROUNDER
    return t, fma(n, -_LN2_LOW, fma(n, -_LN2_HIGH, y))


@njit(cache=True, inline="always")
def exp_polynomial(r):
    """Stage 2 of :func:`exp_nonpositive`: sum_k r^k / k!, k = 0..13, in Estrin's scheme."""
    r2 = r * r
    r4 = r2 * r2
    q2 = fma(fma(_C5, r, _C4), r2, fma(_C3, r, _C2))
    q6 = fma(fma(_C9, r, _C8), r2, fma(_C7, r, _C6))
    q10 = fma(fma(_C13, r, _C12), r2, fma(_C11, r, _C10))
    return 1.0 + fma(r2, fma(r4, fma(r4, q10, q6), q2), r)


@njit(cache=True, inline="always")
def exp_scale(p, t, x):
    """Stage 3 of :func:`exp_nonpositive`: p 2^n (n from the low bits of t, moved into the
    exponent field), or 0 below -708."""
    scale = bits_float((float_bits(t) - np.int64(0x4338000000000000) + np.int64(1023)) << np.int64(52))
    return p * scale * np.float64(x >= _EXP_FLOOR)
