"""Run the workloads for nnfast and its peers in ONE process and print one table.

    python bench/compare.py --threads 1 --repeats 5        # W6 (this slice)

Times are medians of `--repeats` runs after one warm-up; ratios are throughput
(nnfast / peer, > 1 means nnfast is faster) taken in the same run, which is what means
something on a shared, noisy machine.
"""
import argparse
import datetime
import platform
import statistics
import time

import workloads


def measure(fn, repeats):
    fn()                                   # warm-up: buffers, caches, thread pools
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def engines(threads, samples):
    yield "nnfast (cython kernels)", lambda: workloads.nnfast_w6_epoch("cython", threads, samples)
    yield "nnfast (numpy kernels)", lambda: workloads.nnfast_w6_epoch("numpy", threads, samples)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("(PyTorch not installed: `make bench-peers` installs torch==2.13.0)")
    else:
        yield f"PyTorch {torch.__version__}", lambda: workloads.torch_w6_epoch(threads, samples)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=workloads.W6_SAMPLES)
    args = parser.parse_args()

    import nnfast

    nnfast.config.set_num_threads(args.threads)
    nnfast.kernels.info()           # loads the compiled kernels (and scipy's BLAS) first
    print(f"date {datetime.date.today()}, CPU {cpu_name()}, threads {args.threads}, "
          f"nnfast {nnfast.__version__}, median of {args.repeats}")
    for lib in nnfast.kernels.blas_info():
        print(f"BLAS: {lib}")
    rows = []
    for name, build in engines(args.threads, args.samples):
        median, _ = measure(build(), args.repeats)
        rows.append((name, median, args.samples / median))
    ref = {name: sps for name, _, sps in rows}
    nnfast_sps = ref["nnfast (cython kernels)"]
    print(f"\nW6 — MLP 784-300-100-10, SGD(0.01), batch {workloads.W6_BATCH}, "
          f"{args.samples} samples, one epoch\n")
    print("| engine | median epoch (s) | samples/s | ms/step | nnfast-cython speed-up |")
    print("|---|---:|---:|---:|---:|")
    steps = -(-args.samples // workloads.W6_BATCH)
    for name, median, sps in rows:
        print(f"| {name} | {median:.3f} | {sps:,.0f} | {median / steps * 1e3:.3f} | "
              f"{nnfast_sps / sps:.2f}x |")


if __name__ == "__main__":
    main()
