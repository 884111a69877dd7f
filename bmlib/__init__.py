"""bmlib: the small shared library of the course *Boltzmann machines, from gas molecules
to contrastive divergence*.

One module per idea, arrays in and arrays out; import the module you need::

    from bmlib import maxwell, stats, plotting

Nothing heavy is imported here, so ``import bmlib`` stays instant.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
