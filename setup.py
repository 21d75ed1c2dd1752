"""Build the compiled kernels: every src/*.pyx becomes nnfast._ext.<name>.

Environment switches (build time):
  NNFAST_NO_OPENMP=1     build without OpenMP (serial kernels)
  NNFAST_DEBUG_CYTHON=1  Cython bounds checks on (the kernel tests must pass under it)
  NNFAST_NATIVE=1        add -march=native (a local benchmark build; never for a wheel)
"""
import os
import shutil
import subprocess
import sys
import tempfile
from glob import glob

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
OPENMP_PROBE = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    int n = 0;
    #pragma omp parallel num_threads(2) reduction(+:n)
    n += 1;
    printf("%d\n", n);
    return n == 2 ? 0 : 1;
}
"""


def _flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def openmp_works():
    """Compile, link and run a two-thread OpenMP program (scikit-learn's old probe)."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc.split()[0]) is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "probe.c"), os.path.join(tmp, "probe")
        with open(src, "w") as f:
            f.write(OPENMP_PROBE)
        try:
            subprocess.run(cc.split() + ["-fopenmp", src, "-o", exe], check=True,
                           capture_output=True, timeout=60)
            out = subprocess.run([exe], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return False
        return out.stdout.strip() == b"2"


def extensions():
    from Cython.Build import cythonize

    use_openmp = not _flag("NNFAST_NO_OPENMP") and openmp_works()
    if not use_openmp:
        print("\n*** nnfast: building WITHOUT OpenMP (NNFAST_NO_OPENMP set or the compiler "
              "has no working -fopenmp): the kernels will run on one thread. ***\n",
              file=sys.stderr)
    compile_args = ["-O3"]
    link_args = []
    if use_openmp:
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    if _flag("NNFAST_NATIVE"):
        compile_args.append("-march=native")
    debug = _flag("NNFAST_DEBUG_CYTHON")
    exts = [
        Extension(f"nnfast._ext.{os.path.splitext(os.path.basename(path))[0]}",
                  [os.path.relpath(path, HERE)],
                  extra_compile_args=compile_args, extra_link_args=link_args,
                  define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_22_API_VERSION")])
        for path in sorted(glob(os.path.join(HERE, "src", "*.pyx")))
    ]
    return cythonize(
        exts,
        include_path=[os.path.join(HERE, "src")],
        compiler_directives={
            "language_level": 3,
            "boundscheck": debug,
            "wraparound": False,
            "initializedcheck": debug,
            "nonecheck": False,
            "cdivision": True,
            "embedsignature": True,
        },
        quiet=True,
    )


setup(ext_modules=extensions())
