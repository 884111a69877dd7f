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
from numba.core import cgutils
from numba.extending import intrinsic

from bmlib.rng import INV_2_53, xoshiro_step

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


@njit(cache=True, inline="always")
def load_lanes(lanes, states, first, n_lanes):
    """lanes[:, l] = stream first + l of ``states`` for the n_lanes (<= 4) lanes used; the spare
    lanes get a copy of stream ``first``, whose numbers nobody uses (see :func:`uniform_lanes`)."""
    for lane in range(4):
        source = first + lane if lane < n_lanes else first
        for w in range(4):
            lanes[w, lane] = states[source, w]


@njit(cache=True, inline="always")
def store_lanes(lanes, states, first, n_lanes):
    """The advanced streams of the n_lanes used lanes back into ``states``."""
    for lane in range(n_lanes):
        for w in range(4):
            states[first + lane, w] = lanes[w, lane]


@njit(cache=True, inline="always")
def draw(u, first, step, p, out):
    """out[i] = 1.0 if u[first + step i] < p[i] else 0.0: 0/1 samples from the uniform numbers u
    (step 4 and first = the lane for the interleaved numbers of :func:`uniform_lanes`). Its own
    loop, which vectorizes (a compare, then an and with 1.0): in a loop that also lists the units
    that are on, LLVM turned the 1.0-or-0.0 into a conditional jump, mispredicted half of the
    time on random samples."""
    for i in range(out.shape[0]):
        out[i] = np.float64(np.int64(u[first + step * i] < p[i]))


@njit(cache=True, inline="always")
def list_on(x, out):
    """out[:count] = the indices i with x[i] != 0, in order; returns count. Branch-free: every
    index is written, and the position only advances past the non-zeros."""
    count = 0
    for i in range(x.shape[0]):
        out[count] = i
        count += x[i] != 0.0
    return count


@njit(cache=True, inline="always")
def add_rows(out, M, rows, coefficients, count):
    """out += sum_t coefficients[t] * M[rows[t]], four rows per pass over ``out``."""
    n = out.shape[0]
    t = 0
    while t + 4 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        c0, c1, c2, c3 = coefficients[t], coefficients[t + 1], coefficients[t + 2], coefficients[t + 3]
        for j in range(n):
            out[j] += (c0 * M[r0, j] + c1 * M[r1, j]) + (c2 * M[r2, j] + c3 * M[r3, j])
        t += 4
    while t < count:
        r0, c0 = rows[t], coefficients[t]
        for j in range(n):
            out[j] += c0 * M[r0, j]
        t += 1


@njit(cache=True, inline="always")
def sum_rows(out, M, rows, count):
    """out += sum_t M[rows[t]] (the product of a 0/1 vector with M), eight rows per pass over ``out``."""
    n = out.shape[0]
    t = 0
    while t + 8 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        r4, r5, r6, r7 = rows[t + 4], rows[t + 5], rows[t + 6], rows[t + 7]
        for j in range(n):
            out[j] += ((M[r0, j] + M[r1, j]) + (M[r2, j] + M[r3, j])) + (
                (M[r4, j] + M[r5, j]) + (M[r6, j] + M[r7, j])
            )
        t += 8
    while t + 4 <= count:
        r0, r1, r2, r3 = rows[t], rows[t + 1], rows[t + 2], rows[t + 3]
        for j in range(n):
            out[j] += (M[r0, j] + M[r1, j]) + (M[r2, j] + M[r3, j])
        t += 4
    while t < count:
        r0 = rows[t]
        for j in range(n):
            out[j] += M[r0, j]
        t += 1


@njit(cache=True, inline="always")
def uniform(s0, s1, s2, s3):
    """One xoshiro256** step on a stream held in local variables: (u in [0, 1), new state), with u
    exactly :func:`bmlib.rng.next_double`'s number. The top 53 bits fit an int64, whose conversion
    to float64 is one instruction (an unsigned one is a sequence on x86 without AVX-512)."""
    result, s0, s1, s2, s3 = xoshiro_step(s0, s1, s2, s3)
    return np.float64(np.int64(result >> np.uint64(11))) * INV_2_53, s0, s1, s2, s3


@njit(cache=True, inline="always")
def sigmoid_block(a, out, scaled, reduced):
    """out = sigmoid(a) (may be a itself) as :func:`bmlib.stats.sigmoid` computes it: 1 / (1 + e)
    for a >= 0, e / (1 + e) below, e = exp(-|a|), with the vectorizable exp of
    :func:`bmlib._simd.exp_nonpositive` (so within an ulp or two of ``stats.sigmoid``; 0 below
    a = -708, where that is subnormal). Needs ``error_model="numpy"`` in the caller: Numba's
    default checks every division for zero, which keeps the loop from vectorizing.

    The exp runs as its three stages, each its own pass (argument reduction, polynomial,
    scaling), then the division, through the scratch arrays ``scaled`` and ``reduced`` (at least
    as long as a). One fused loop
    body is a chain of about 30 dependent vector operations, so only two or three iterations fit
    in the processor's scheduler at once; four short loops keep it full (same bits either way).
    """
    n = a.shape[0]
    for j in range(n):
        scaled[j], reduced[j] = exp_reduce(-abs(a[j]))
    for j in range(n):
        reduced[j] = exp_polynomial(reduced[j])
    for j in range(n):
        scaled[j] = exp_scale(reduced[j], scaled[j], -abs(a[j]))
    for j in range(n):
        e = scaled[j]
        out[j] = (1.0 if a[j] >= 0.0 else e) / (1.0 + e)


@intrinsic
def transpose4(typingctx, source, target, i, j):
    """target[j + c, i + r] = source[i + r, j + c] for r, c = 0..3: a 4 x 4 block of float64,
    as four vector loads, eight shuffles and four vector stores. Both arrays must have
    contiguous rows (a stride of 8 bytes along axis 1); ``bmlib.rbm._fused.transpose_rows`` checks that."""
    if not (isinstance(source, types.Array) and isinstance(target, types.Array)):
        return None
    if source.dtype != types.float64 or target.dtype != types.float64 or source.ndim != 2 or target.ndim != 2:
        return None
    sig = types.void(source, target, types.intp, types.intp)

    def codegen(context, builder, signature, args):
        source_type, target_type = signature.args[0], signature.args[1]
        source_array = context.make_array(source_type)(context, builder, args[0])
        target_array = context.make_array(target_type)(context, builder, args[1])
        i, j = args[2], args[3]
        vector = ir.VectorType(ir.DoubleType(), 4)

        def pointer(array_type, array, row, column, offset):
            row = builder.add(row, ir.Constant(row.type, offset))
            item = cgutils.get_item_pointer(context, builder, array_type, array, [row, column])
            return builder.bitcast(item, vector.as_pointer())

        def shuffle(a, b, mask):
            return builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(ir.IntType(32), 4), mask))

        r = [builder.load(pointer(source_type, source_array, i, j, k), align=8) for k in range(4)]
        t0, t1 = shuffle(r[0], r[1], [0, 4, 2, 6]), shuffle(r[0], r[1], [1, 5, 3, 7])
        t2, t3 = shuffle(r[2], r[3], [0, 4, 2, 6]), shuffle(r[2], r[3], [1, 5, 3, 7])
        columns = [
            shuffle(t0, t2, [0, 1, 4, 5]),
            shuffle(t1, t3, [0, 1, 4, 5]),
            shuffle(t0, t2, [2, 3, 6, 7]),
            shuffle(t1, t3, [2, 3, 6, 7]),
        ]
        for k in range(4):
            builder.store(columns[k], pointer(target_type, target_array, j, i, k), align=8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def uniform_lanes(typingctx, lanes, u, n_draws):
    """u[4 m + l] = the m-th next number of stream l (l = 0..3, m < n_draws) for the four
    xoshiro256** streams held in ``lanes`` (4 x 4 uint64: lanes[w, l] is word w of stream l),
    which are advanced. Each number is exactly :func:`bmlib.rng.next_double`'s (top 53 bits
    times 2^-53), so lane l reproduces stream l bit for bit.

    The four streams are stepped together in 256-bit vectors (AVX2 where the processor has it).
    Written as LLVM IR because LLVM
    does not vectorize the scalar loop over four streams by itself. AVX2 has no 64-bit integer to
    double conversion, so the 53 bits are converted as two exact halves: hi = bits 32..63 and
    lo = bits 11..31, each turned into a double by or-ing it into the mantissa of 2^52 and
    subtracting 2^52, then (hi 2^21 + lo) 2^-53, every operation exact.
    """
    sig = types.void(lanes, u, n_draws)

    def codegen(context, builder, signature, args):
        lanes_data = context.make_array(signature.args[0])(context, builder, args[0]).data
        u_data = context.make_array(signature.args[1])(context, builder, args[1]).data
        i64 = ir.IntType(64)
        words = ir.VectorType(i64, 4)
        doubles = ir.VectorType(ir.DoubleType(), 4)

        def splat(value):
            return ir.Constant(words, [value] * 4)

        def fsplat(value):
            return ir.Constant(doubles, [value] * 4)

        def rotl(x, k):
            return builder.or_(builder.shl(x, splat(k)), builder.lshr(x, splat(64 - k)))

        state = builder.bitcast(lanes_data, words.as_pointer())
        out = builder.bitcast(u_data, doubles.as_pointer())
        slots = []
        for w in range(4):
            slot = cgutils.alloca_once(builder, words)
            builder.store(builder.load(builder.gep(state, [ir.Constant(i64, w)]), align=8), slot)
            slots.append(slot)
        with cgutils.for_range(builder, args[2]) as loop:
            s0, s1, s2, s3 = (builder.load(slot) for slot in slots)
            five = builder.add(builder.shl(s1, splat(2)), s1)  # s1 * 5
            rotated = rotl(five, 7)
            result = builder.add(builder.shl(rotated, splat(3)), rotated)  # * 9
            t = builder.shl(s1, splat(17))
            s2 = builder.xor(s2, s0)
            s3 = builder.xor(s3, s1)
            s1 = builder.xor(s1, s2)
            s0 = builder.xor(s0, s3)
            s2 = builder.xor(s2, t)
            s3 = rotl(s3, 45)
            for slot, value in zip(slots, (s0, s1, s2, s3), strict=True):
                builder.store(value, slot)
            exponent = splat(0x4330000000000000)  # 2^52
            hi = builder.bitcast(builder.or_(builder.lshr(result, splat(32)), exponent), doubles)
            lo = builder.and_(builder.lshr(result, splat(11)), splat(0x1FFFFF))
            lo = builder.bitcast(builder.or_(lo, exponent), doubles)
            hi = builder.fsub(hi, fsplat(2.0**52))
            lo = builder.fsub(lo, fsplat(2.0**52))
            value = builder.fmul(builder.fadd(builder.fmul(hi, fsplat(2.0**21)), lo), fsplat(2.0**-53))
            builder.store(value, builder.gep(out, [loop.index]), align=8)
        for w in range(4):
            builder.store(builder.load(slots[w]), builder.gep(state, [ir.Constant(i64, w)]), align=8)
        return context.get_dummy_value()

    return sig, codegen
