"""Datasets bundled with nnfast (no download needed)."""
from nnfast.datasets import digits  # noqa: F401
