"""NumPy reference kernels: the fallback and the oracle for every compiled kernel.

Each module in this package registers its kernels with `nnfast.kernels.register` when
imported; importing the package imports them all.
"""
import importlib
import pkgutil

for _mod in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_mod.name}")
