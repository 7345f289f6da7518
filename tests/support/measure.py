"""Running a piece of the pipeline in a fresh interpreter and reading its peak memory.

Peak RSS is a process-wide high-water mark: measured in the test process it would hold
whatever earlier tests allocated, so the work runs in a child that reports its own
``resource.getrusage`` before it exits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# VmHWM, not getrusage: Linux keeps ru_maxrss across execve, so a child of a large pytest
# process would report the parent's memory; VmHWM belongs to the child's own address space.
_REPORT = """
import json as _json, resource as _resource, sys as _sys
_result = main()
try:
    with open("/proc/self/status") as _status:
        _kb = next(int(line.split()[1]) for line in _status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    _kb = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
_result["peak_rss_mb"] = round(_kb / 1024, 1)
_sys.stdout.write("\\n" + _json.dumps(_result, ensure_ascii=False) + "\\n")
"""


def in_child(script: str, *args: str, timeout: float = 600) -> dict:
    """Run ``script`` (which defines ``main() -> dict``; ``sys.argv[1:]`` are ``args``) in a
    fresh interpreter at the repository root; ``main``'s dict, plus ``peak_rss_mb``."""
    code = textwrap.dedent(script) + _REPORT
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=None)
    if done.returncode != 0:
        raise AssertionError(f"the child failed (rc {done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
