"""Calls the external judge command (the repo's workers/judge-cli.ts) that runs candidate code against tests.

Protocol: JSON on stdin  {"solutions": [{"id", "code"}], "tests": [{"input", "output"}], "fnName"?}
          (fnName: function I/O tasks; the judge runs each solution's Solution().<fnName> on JSON argument lines)
          JSON on stdout {"results": [{"id", "verdicts": [...], "passed": k, "total": n}]}
"""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import sys
from dataclasses import dataclass
from typing import Optional

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    passed: int
    total: int


class JudgeError(RuntimeError):
    pass


def run_judge(
    cmd: str, solutions: list[dict[str, str]], tests: list[dict[str, str]], *, cwd: Optional[str], timeout_s: float,
    fn_name: Optional[str] = None,
) -> dict[str, Verdict]:
    """One judge process for a batch of solutions that share the same tests. Raises JudgeError on any failure:
    a broken judge must fail the run (and the activity retry resumes from the last checkpoint) rather than
    silently train on rewards of 0."""
    if not solutions:
        return {}
    payload = json.dumps({"solutions": solutions, "tests": tests, **({"fnName": fn_name} if fn_name else {})})
    # On SIGTERM the exception raised in our handler makes subprocess.run kill the judge before unwinding.
    proc = subprocess.run(
        shlex.split(cmd), input=payload, capture_output=True, text=True, cwd=cwd, timeout=timeout_s
    )
    if proc.stderr:
        sys.stderr.write(proc.stderr)  # the judge's logs belong to our log stream, never to the progress stream
    if proc.returncode != 0:
        raise JudgeError(f"judge exited with {proc.returncode}: {proc.stderr[-2000:]}")
    try:
        results = json.loads(proc.stdout)["results"]
        verdicts = {str(r["id"]): Verdict(int(r["passed"]), int(r["total"])) for r in results}
    except (ValueError, KeyError, TypeError) as e:
        raise JudgeError(f"judge printed unexpected output ({e}): {proc.stdout[:2000]!r}") from e
    missing = {s["id"] for s in solutions} - verdicts.keys()
    if missing:
        raise JudgeError(f"judge returned no result for {sorted(missing)}")
    return verdicts
