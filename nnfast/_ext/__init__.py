"""Compiled kernels (built from src/*.pyx by setup.py)."""
