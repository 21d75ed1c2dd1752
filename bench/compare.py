"""Run the workloads W1–W8 for nnfast and its peers in ONE process tree; print one table.

    python bench/compare.py --threads 1                  # everything installed
    python bench/compare.py --threads 2 --quick          # smaller epochs, labelled
    python bench/compare.py --workloads W2b-fwdbwd,W6 --keras-python /path/to/python

For each workload the parent starts one child process per engine in turn (nnfast with
compiled kernels, nnfast with NumPy kernels, PyTorch, Keras 3 on TensorFlow), so no two
engines share a process or a thread pool; each child warms up, times `--repeats` runs
(W8: 200 calls) and reports the median. Ratios are taken in the same run: they are what
means something on a shared, noisy machine. A peer that is not installed is skipped with
a note. See shared/WORKLOADS.md for the definitions.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from engines import common  # noqa: E402

ENGINES = ("nnfast-cython", "nnfast-numpy", "torch", "keras")


# --- child -----------------------------------------------------------------------------
def child(engine, workload, threads, repeats, quick):
    if engine.startswith("nnfast"):
        from engines import nnfast_engine

        fn = nnfast_engine.build(workload, engine.split("-")[1], threads, quick)
    elif engine == "torch":
        from engines import torch_engine

        fn = torch_engine.build(workload, threads, quick)
    else:
        from engines import keras_engine

        fn = keras_engine.build(workload, threads, quick)
    calls = 200 if workload.startswith("W8") else 1
    fn()                                                   # warm-up (builds, caches, pools)
    times = []
    for _ in range(repeats if calls == 1 else 1):
        for _ in range(calls):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    print(json.dumps({"median": statistics.median(times), "n": len(times)}))


# --- parent ----------------------------------------------------------------------------
def run_child(python, engine, workload, args):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NNFAST_NUM_THREADS"):
        env[var] = str(args.threads)
    env["PYTHONPATH"] = os.pathsep.join([ROOT, HERE, env.get("PYTHONPATH", "")])
    cmd = [python, os.path.abspath(__file__), "--child", engine, "--workloads", workload,
           "--threads", str(args.threads), "--repeats", str(args.repeats)]
    if args.quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}
    return json.loads(lines[-1])


def has_module(python, module):
    probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def throughput(workload, seconds, quick):
    name, _, mode = workload.partition("-")
    if name == "W1":
        return 2 * int(mode) ** 3 / seconds / 1e9, "GFLOPS"
    if name in common.CONV_CASES:
        return common.conv_flops(name, mode) / seconds / 1e9, "GFLOPS"
    if name in ("W5", "W6", "W7"):
        return common.samples_of(name, quick) / seconds, "samples/s"
    return seconds * 1e3, "ms"


def header(args, pythons):
    import numpy
    import scipy

    import nnfast

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"date {datetime.date.today()} | CPU {cpu} | threads {args.threads} | "
          f"repeats {args.repeats}{' | QUICK (reduced epochs)' if args.quick else ''}")
    print(f"nnfast {nnfast.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")
    for engine, module in (("torch", "torch"), ("keras", "keras")):
        python = pythons.get(engine)
        if python:
            code = ("import os; os.environ.setdefault('KERAS_BACKEND','tensorflow'); "
                    f"os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; import {module}; "
                    f"print({module}.__version__)")
            if module == "keras":
                code += "; import tensorflow as tf; print('tensorflow', tf.__version__)"
            out = subprocess.run([python, "-c", code], capture_output=True, text=True)
            print(f"{module} {' '.join(out.stdout.split())}")
    try:
        from threadpoolctl import threadpool_info

        for lib in threadpool_info():
            print(f"BLAS/OpenMP (children capped to --threads): {lib.get('internal_api')} {lib.get('version')} "
                  f"({os.path.basename(lib.get('filepath', ''))}, {lib.get('num_threads')} threads)")
    except ImportError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workloads", default=",".join(common.WORKLOADS))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--torch-python", default=sys.executable)
    parser.add_argument("--keras-python", default=None)
    parser.add_argument("--child", choices=ENGINES)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.workloads, args.threads, args.repeats, args.quick)

    engines = [e for e in args.engines.split(",") if e]
    pythons = {"nnfast-cython": sys.executable, "nnfast-numpy": sys.executable}
    if "torch" in engines:
        if has_module(args.torch_python, "torch"):
            pythons["torch"] = args.torch_python
        else:
            print("(PyTorch not installed: `make bench-peers` installs torch==2.13.0; skipped)")
    if "keras" in engines:
        keras_python = args.keras_python or sys.executable
        if has_module(keras_python, "tensorflow"):
            pythons["keras"] = keras_python
        else:
            print("(TensorFlow/Keras not installed: `make bench-peers` installs them, or pass "
                  "--keras-python; skipped)")
    engines = [e for e in engines if e in pythons]
    header(args, pythons)

    rows, ceiling = [], None
    workloads = [w for w in args.workloads.split(",") if w]
    if any(w.startswith(("W1", "W2")) for w in workloads) and "W1-2048" not in workloads:
        workloads = ["W1-2048"] + workloads          # the ceiling is measured in every run
    for workload in workloads:
        results = {}
        for engine in engines:
            results[engine] = run_child(pythons[engine], engine, workload, args)
            print(f"  {workload:11s} {engine:14s} {results[engine]}", file=sys.stderr)
        rows.append((workload, results))
        if workload == "W1-2048" and "median" in results.get("nnfast-numpy", {}):
            ceiling = throughput(workload, results["nnfast-numpy"]["median"], args.quick)[0]

    print("\nRatios are nnfast-cython's speed over the engine's (> 1: nnfast faster). "
          "W1's NumPy row is np.matmul (NumPy's OpenBLAS), the W1 peer and the GEMM "
          f"ceiling{f' ({ceiling:.1f} GFLOPS)' if ceiling else ''}.\n")
    print("| workload | engine | median | throughput | % of GEMM ceiling | nnfast-cython speed-up |")
    print("|---|---|---:|---:|---:|---:|")
    for workload, results in rows:
        base = results.get("nnfast-cython", {}).get("median")
        for engine, res in results.items():
            if "median" not in res:
                print(f"| {workload} | {engine} | — | {res.get('error', 'failed')} | | |")
                continue
            value, unit = throughput(workload, res["median"], args.quick)
            share = f"{100 * value / ceiling:.0f}%" if ceiling and unit == "GFLOPS" else ""
            ratio = f"{res['median'] / base:.2f}x" if base else ""
            print(f"| {workload} | {engine} | {res['median'] * 1e3:.3f} ms | "
                  f"{value:,.1f} {unit} | {share} | {ratio} |")


if __name__ == "__main__":
    main()
