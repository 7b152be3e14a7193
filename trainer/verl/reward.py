"""verl custom reward function: the paper's reward, computed by SynthSmith's judge.

verl calls `compute_score(data_source, solution_str, ground_truth, extra_info)` once per rollout (set
`custom_reward_function.path=trainer/verl/reward.py custom_reward_function.name=compute_score`). `ground_truth`
is JSON {"inputs", "outputs", "fn_name"?, "checker"?} (rl.parquet and prepare_data.py; a plain list of
{input, output} from older files is read too); with fn_name the judge runs the code's Solution().<fn_name> on JSON
argument lines, as synthesis did; checker is the task's output rule ({"kind": "exact" | "token"},
{"kind": "float", "absTolerance"?, "relTolerance"?} or {"kind": "testlib", "code"}; absent = exact), passed to the
judge as is. The judge command comes from $SYNTHSMITH_JUDGE_CMD
(default: the repo's `node_modules/.bin/tsx workers/judge-cli.ts`, run from the repo root).

The rule is the same code as our own GRPO (synthsmith_trainer.reward): -2 without a parseable ```python block,
0 when no test passes, else 5 * passed / total over at most 10 tests sampled per task. A judge failure scores
0 here (verl has no way to stop a step), unlike our trainer, which stops. A malformed checker raises ValueError
naming the task and field: it is a data bug that would score every rollout of the task 0, so it must not pass
silently (prepare_data.py rejects it before training).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NamedTuple, Optional

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "trainer"))

from synthsmith_trainer.judge import JudgeError, parse_checker, run_judge  # noqa: E402
from synthsmith_trainer.reward import completion_reward, judgeable_code, sample_tests  # noqa: E402

JUDGE_CMD = os.environ.get("SYNTHSMITH_JUDGE_CMD", f"{REPO / 'node_modules/.bin/tsx'} {REPO / 'workers/judge-cli.ts'}")
MAX_TESTS = int(os.environ.get("SYNTHSMITH_MAX_TESTS", "10"))
SEED = int(os.environ.get("SYNTHSMITH_SEED", "0"))


class GroundTruth(NamedTuple):
    tests: list[dict[str, str]]
    fn_name: Optional[str]  # None for stdio tasks
    checker: Optional[dict[str, Any]]  # None: exact match


def parse_ground_truth(ground_truth: str, task_id: str = "?") -> GroundTruth:
    """The tests, function name and checker of a row's ground truth (task_id only names the task in errors)."""
    truth = json.loads(ground_truth)
    if isinstance(truth, list):
        return GroundTruth([{"input": t["input"], "output": t["output"]} for t in truth], None, None)
    tests = [{"input": i, "output": o} for i, o in zip(truth["inputs"], truth["outputs"])]
    checker = parse_checker(truth.get("checker"), task_id, field="ground_truth.checker")
    return GroundTruth(tests, truth.get("fn_name") or None, checker)


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: Optional[dict[str, Any]] = None) -> float:
    code = judgeable_code(solution_str)
    if code is None:
        return completion_reward(solution_str)  # -2 without running anything
    task_id = str((extra_info or {}).get("task_id", data_source))
    truth = parse_ground_truth(ground_truth, task_id)
    tests = sample_tests(truth.tests, MAX_TESTS, SEED, task_id)
    try:
        verdict = run_judge(JUDGE_CMD, [{"id": "s", "code": code}], tests, cwd=str(REPO), timeout_s=600,
                            fn_name=truth.fn_name, checker=truth.checker)["s"]
    except JudgeError as e:
        print(f"synthsmith judge failed, scoring 0: {e}", file=sys.stderr)
        return 0.0
    return completion_reward(solution_str, verdict.passed, verdict.total)
