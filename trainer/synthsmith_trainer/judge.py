"""Calls the external judge command (the repo's workers/judge-cli.ts) that runs candidate code against tests.

Protocol: JSON on stdin  {"solutions": [{"id", "code"}], "tests": [{"input", "output"}], "fnName"?, "checker"?}
          (fnName: function I/O tasks; the judge runs each solution's Solution().<fnName> on JSON argument lines)
          (checker: how an output is compared with the test's output, see parse_checker; absent = exact match)
          JSON on stdout {"results": [{"id", "verdicts": [...], "passed": k, "total": n}]}
"""

from __future__ import annotations

import json
import logging
import math
import shlex
import subprocess
import sys
from dataclasses import dataclass
from typing import Any, Optional

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    passed: int
    total: int


class JudgeError(RuntimeError):
    pass


class CheckerError(ValueError):
    """A task's checker does not have one of the shapes the judge accepts."""


# The judge's checker shapes (workers/judge-cli.ts, CheckerSchema), kind -> {field: required}:
#   {"kind": "exact"} | {"kind": "token"} | {"kind": "float", "absTolerance"?, "relTolerance"?}
#   | {"kind": "testlib", "code"}
# exact: trimmed line-by-line match (the default); token: whitespace-separated tokens; float: numeric tokens within
# |a - e| <= absTolerance or <= relTolerance * |e| (both default 1e-6); testlib: a C++ program run as
# `checker input output answer`, exit 0 accepts, 1 or 2 rejects, anything else fails the judge call.
CHECKER_FIELDS: dict[str, dict[str, bool]] = {
    "exact": {},
    "token": {},
    "float": {"absTolerance": False, "relTolerance": False},
    "testlib": {"code": True},
}


def parse_checker(value: Any, task_id: str, field: str = "checker") -> Optional[dict[str, Any]]:
    """The checker of one task, validated; None (absent or null) means exact match, the judge's default.

    Checked here, with the same rules as the judge, so a malformed export fails when the data is loaded, naming the
    task and the field, instead of as a judge exit 2 in the middle of a run.
    """
    if value is None:
        return None

    def bad(sub: str, why: str) -> CheckerError:
        return CheckerError(f"task {task_id!r}: {field}{sub} {why}")

    if not isinstance(value, dict):
        raise bad("", f'must be an object like {{"kind": "exact"}}, got {value!r}')
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in CHECKER_FIELDS:
        raise bad(".kind", f"must be one of {', '.join(map(repr, CHECKER_FIELDS))}, got {kind!r}")
    fields = CHECKER_FIELDS[kind]
    # Strict like the judge's schema: a misspelt "abs_tolerance" silently falling back to the default would be worse.
    extra = sorted(value.keys() - fields.keys() - {"kind"})
    if extra:
        raise bad(f".{extra[0]}", f"is not a field of the {kind!r} checker (its fields: {', '.join(fields) or 'none'})")
    for name, required in fields.items():
        if name not in value:
            if required:
                raise bad(f".{name}", f"is required for the {kind!r} checker")
            continue
        v = value[name]
        if kind == "float":
            # bool is an int in Python but not a number in JSON; NaN/inf cannot travel as JSON.
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise bad(f".{name}", f"must be a finite number >= 0, got {v!r}")
        elif not isinstance(v, str) or not v:
            raise bad(f".{name}", f"must be a non-empty string (the checker's C++ source), got {v!r}")
    return dict(value)


def run_judge(
    cmd: str, solutions: list[dict[str, str]], tests: list[dict[str, str]], *, cwd: Optional[str], timeout_s: float,
    fn_name: Optional[str] = None, checker: Optional[dict[str, Any]] = None,
) -> dict[str, Verdict]:
    """One judge process for a batch of solutions that share the same tests (and checker). Raises JudgeError on any
    failure: a broken judge must fail the run (and the activity retry resumes from the last checkpoint) rather than
    silently train on rewards of 0."""
    if not solutions:
        return {}
    payload = json.dumps({
        "solutions": solutions, "tests": tests,
        **({"fnName": fn_name} if fn_name else {}),
        # Without it the judge compares exactly, which scores a correct float with other digits, or another valid
        # answer of a "print any" task, as wrong.
        **({"checker": checker} if checker else {}),
    })
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
