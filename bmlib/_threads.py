"""Synchronisation between Numba threads (private: the speed work).

Atomic counters and a polite spin-wait, written as LLVM intrinsics, so that the threads of
one fused training epoch (``bmlib.rbm._fused``) can share each minibatch: a thread takes the
next task number with :func:`atomic_add` and waits with :func:`wait_until` until the tasks of
the earlier phase are done.
"""

import platform
import sys

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")


def _counter_pointer(context, builder, signature, args):
    array = context.make_array(signature.args[0])(context, builder, args[0])
    return cgutils.get_item_pointer(context, builder, signature.args[0], array, [args[1]])


@intrinsic
def atomic_add(typingctx, counters, index, value):
    """counters[index] += value as one atomic read-modify-write (sequentially consistent: also a
    full memory fence); returns the old value. ``counters`` is an int64 array."""
    if counters.dtype != types.int64:
        return None
    sig = types.int64(counters, types.intp, types.int64)

    def codegen(context, builder, signature, args):
        return builder.atomic_rmw(
            "add", _counter_pointer(context, builder, signature, args), args[2], "seq_cst"
        )

    return sig, codegen


@intrinsic
def atomic_load(typingctx, counters, index):
    """counters[index], read atomically with acquire order: whatever a thread wrote before its
    :func:`atomic_add` to this counter is visible once the new value is seen (and the compiler
    may not hoist the read out of a waiting loop)."""
    if counters.dtype != types.int64:
        return None
    sig = types.int64(counters, types.intp)

    def codegen(context, builder, signature, args):
        return builder.load_atomic(_counter_pointer(context, builder, signature, args), "acquire", 8)

    return sig, codegen


@intrinsic
def spin_pause(typingctx):
    """The x86 ``pause`` hint inside a busy-wait loop (nothing on other processors)."""
    sig = types.void()

    def codegen(context, builder, signature, args):
        if _X86:
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), []), "llvm.x86.sse2.pause"
            )
            builder.call(function, [])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def yield_processor(typingctx):
    """``sched_yield()`` (POSIX; nothing on Windows): let the operating system run another thread."""
    sig = types.void()

    def codegen(context, builder, signature, args):
        if sys.platform != "win32":
            function = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.IntType(32), []), "sched_yield"
            )
            builder.call(function, [])
        return context.get_dummy_value()

    return sig, codegen


NEXT_TASK, TASKS_DONE = 0, 8  # indices of the two counters (64 bytes apart: separate cache lines)


@njit(cache=True, inline="always")
def wait_until(counters, index, target):
    """Spin until counters[index] >= target; after the first ~1000 rounds, give the processor
    away between checks (so a waiting thread does not starve the one it waits for when there are
    more threads than cores)."""
    spins = 0
    while atomic_load(counters, index) < target:
        spin_pause()
        spins += 1
        if spins > 1000:
            yield_processor()
