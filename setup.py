"""Build the compiled kernels: every src/*.pyx becomes the extension nnfast._ext.<stem>.

Environment switches (build time):
  NNFAST_NO_OPENMP=1     build without OpenMP (the kernels then run on one thread)
  NNFAST_DEBUG_CYTHON=1  Cython bounds checks on (the kernel tests must pass under it)
  NNFAST_NATIVE=1        add -march=native (a local benchmark build; never for a wheel)
Metadata lives in pyproject.toml; this file only describes the extensions. The OpenMP
probe and cythonize run inside build_ext, so metadata-only steps (pip's egg_info and
requirement hooks) stay instant.
"""
import os
import subprocess
import sys
import sysconfig
import tempfile
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
MODE_STAMP = os.path.join(HERE, "build", "nnfast-build-mode.txt")
OPENMP_PROBE = r"""
#include <omp.h>
#include <stdio.h>
int main(void) {
    #pragma omp parallel num_threads(2)
    printf("nthreads=%d\n", omp_get_num_threads());
    return 0;
}
"""


def _flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def openmp_works(compiler):
    """Compile, link and run a two-thread OpenMP program with the compiler that builds the
    extensions (scikit-learn's old `check_openmp_support`): True if two lines came out."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            os.chdir(tmp)
            with open("probe.c", "w") as f:
                f.write(OPENMP_PROBE)
            objects = compiler.compile(["probe.c"], extra_postargs=["-fopenmp"])
            compiler.link_executable(objects, "probe", extra_postargs=["-fopenmp"])
            out = subprocess.run([os.path.join(tmp, "probe")], capture_output=True,
                                 text=True, timeout=60, check=True).stdout
        except Exception:   # any compile, link or run failure means: no usable OpenMP
            return False
        finally:
            os.chdir(cwd)
    return out.split() == ["nthreads=2", "nthreads=2"]


def build_mode(compiler):
    """Flags and Cython directives for this build, from the environment and the probe."""
    use_openmp = not _flag("NNFAST_NO_OPENMP") and openmp_works(compiler)
    if not use_openmp:
        why = "NNFAST_NO_OPENMP is set" if _flag("NNFAST_NO_OPENMP") else \
            "the C compiler has no working -fopenmp"
        print(f"\n*** nnfast WARNING: building WITHOUT OpenMP ({why}): every compiled "
              "kernel will run on one thread. ***\n", file=sys.stderr)
    debug = _flag("NNFAST_DEBUG_CYTHON")
    # -g0 drops the debug info Python's CFLAGS ask for (-g): smaller wheels, faster builds.
    # -fno-math-errno: sqrt/exp need not set errno (nothing here reads it), which is what
    # lets GCC vectorise loops that call them (the optimizer updates, softmax).
    compile_args = ["-O3", "-fno-math-errno"] if debug else ["-O3", "-g0", "-fno-math-errno"]
    link_args = []
    if use_openmp:
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    if _flag("NNFAST_NATIVE"):
        compile_args.append("-march=native")
    return {"openmp": use_openmp, "debug": debug, "compile_args": compile_args,
            "link_args": link_args}


class BuildExt(build_ext):
    """Probe OpenMP, cythonize, then compile the extensions in parallel (unless -j says
    otherwise); rebuild everything when the build mode changed since the last build here."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self):
        from Cython.Build import cythonize
        from setuptools._distutils.ccompiler import new_compiler
        from setuptools._distutils.sysconfig import customize_compiler

        compiler = new_compiler(compiler=self.compiler)
        customize_compiler(compiler)
        self.mode = build_mode(compiler)
        # The mode is baked into the generated C and the objects, but cythonize and
        # build_ext only compare timestamps: a changed mode forces a full rebuild.
        try:
            with open(MODE_STAMP) as f:
                changed = f.read() != repr(self.mode)
        except OSError:
            changed = True
        self.force = self.force or changed
        for ext in self.extensions:
            ext.extra_compile_args = list(self.mode["compile_args"])
            ext.extra_link_args = list(self.mode["link_args"])
        generated = cythonize(
            self.extensions,
            include_path=[os.path.join(HERE, "src")],
            compiler_directives={
                "language_level": 3,
                "boundscheck": self.mode["debug"],
                "wraparound": False,
                "initializedcheck": self.mode["debug"],
                "nonecheck": False,
                "cdivision": True,
                "embedsignature": True,
            },
            build_dir=os.path.join(HERE, "build", "cython"),   # generated C stays out of src/
            force=self.force,
            nthreads=os.cpu_count() or 1,
            quiet=True,
        )
        # Keep setuptools' own Extension objects (it annotated them in finalize_options);
        # only their sources change, from .pyx to the generated .c.
        for ext, gen in zip(self.extensions, generated):
            assert ext.name == gen.name
            ext.sources = gen.sources
        super().run()
        self._remove_stale_modules()
        os.makedirs(os.path.dirname(MODE_STAMP), exist_ok=True)
        with open(MODE_STAMP, "w") as f:
            f.write(repr(self.mode))

    def _remove_stale_modules(self):
        """Delete compiled modules of .pyx files that no longer exist, from build/lib
        (a wheel packs all of it) and from the in-place package."""
        current = {ext.name.rsplit(".", 1)[1] for ext in self.extensions}
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        for root in {self.build_lib, HERE}:
            for path in glob(os.path.join(root, "nnfast", "_ext", "*" + suffix)):
                if os.path.basename(path)[:-len(suffix)] not in current:
                    os.remove(path)


EXTENSIONS = [
    Extension(f"nnfast._ext.{os.path.splitext(os.path.basename(path))[0]}",
              [os.path.relpath(path, HERE)])
    for path in sorted(glob(os.path.join(HERE, "src", "*.pyx")))
]

setup(ext_modules=EXTENSIONS, cmdclass={"build_ext": BuildExt})
