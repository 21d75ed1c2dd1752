"""glibc malloc tuning (nnfast/kernels/memory.py): on by default on Linux, off on request."""
import subprocess
import sys

import nnfast


def _applied(env_value=None):
    import os

    env = dict(os.environ)
    env.pop("NNFAST_MALLOC_TUNING", None)
    if env_value is not None:
        env["NNFAST_MALLOC_TUNING"] = env_value
    code = "import nnfast; print(nnfast.kernels.info()['malloc_tuning'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_tuning_is_on_by_default_on_glibc_and_can_be_turned_off():
    expected = "True" if sys.platform.startswith("linux") else "False"
    assert _applied() == expected
    assert _applied("0") == "False"


def test_info_reports_it_in_this_process():
    assert nnfast.kernels.info()["malloc_tuning"] is nnfast.kernels.memory.tune_malloc()
