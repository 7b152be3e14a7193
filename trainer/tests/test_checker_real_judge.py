"""Checkers through the real judge (workers/judge-cli.ts in the bubblewrap sandbox): a correct answer worded
differently from the golden stdout earns the full reward once the task's checker goes with it, and 0 under the old
exact comparison. Both our GRPO (score_group) and the verl reward (compute_score) are checked."""

import dataclasses
import importlib.util
import json
import shutil

import pytest

from synthsmith_trainer.config import get_preset
from synthsmith_trainer.data import RLTask
from synthsmith_trainer.grpo import parse_args, score_group

from .conftest import TRAINER_ROOT

REPO = TRAINER_ROOT.parent
TSX = REPO / "node_modules" / ".bin" / "tsx"


@pytest.fixture(autouse=True, scope="module")
def _judge_installed() -> None:
    # A missing judge is a broken setup, not a reason to skip: `npm test` runs .ci/setup.sh first.
    assert TSX.exists() and shutil.which("bwrap") is not None, "needs npm ci and bubblewrap: run `npm run setup`"


def rewards(task: RLTask, completions: dict[str, str]) -> dict[str, float]:
    args = parse_args(["--dataset", "x", "--output-dir", "x", "--judge-cmd", f"{TSX} workers/judge-cli.ts",
                       "--judge-cwd", str(REPO)])
    scores, _ = score_group(task, list(completions.values()), get_preset("tiny").grpo, args, task.task_id)
    return dict(zip(completions, scores))


def verl_score(task: RLTask, completion: str) -> float:
    spec = importlib.util.spec_from_file_location("synthsmith_verl_reward", TRAINER_ROOT / "verl" / "reward.py")
    reward = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reward)
    reward.JUDGE_CMD = f"{TSX} workers/judge-cli.ts"
    truth = {"inputs": [t["input"] for t in task.tests], "outputs": [t["output"] for t in task.tests],
             "checker": task.checker}
    return reward.compute_score("synthsmith", completion, json.dumps(truth), {"task_id": task.task_id})


# Outputs are the golden solution's exact stdout, `print(f"{a / b:.9f}")`.
RATIO = RLTask("ratio", "Print a / b with absolute error at most 1e-6.", [
    {"input": "1 3\n", "output": "0.333333333\n"}, {"input": "2 3\n", "output": "0.666666667\n"},
    {"input": "1 7\n", "output": "0.142857143\n"}, {"input": "5 4\n", "output": "1.250000000\n"},
], checker={"kind": "float", "absTolerance": 1e-6, "relTolerance": 1e-6})
RATIO_COMPLETIONS = {
    "repr digits": "```python\na, b = map(int, input().split())\nprint(a / b)\n```",  # 0.3333333333333333, 1.25
    "two decimals": "```python\na, b = map(int, input().split())\nprint(f'{a / b:.2f}')\n```",  # only 1.25 is close
}


def test_float_checker_accepts_other_digits_within_tolerance():
    assert rewards(RATIO, RATIO_COMPLETIONS) == {"repr digits": 5.0, "two decimals": 1.25}
    # The old exact comparison: the same correct program earns nothing.
    assert rewards(dataclasses.replace(RATIO, checker=None), RATIO_COMPLETIONS) == {"repr digits": 0.0, "two decimals": 0.0}
    assert verl_score(RATIO, RATIO_COMPLETIONS["repr digits"]) == 5.0


# Not testlib.h: plain C++ with testlib's calling convention and exit codes (`checker input output answer`; 0 accept,
# 1 reject, 3 the task itself is broken). It also checks the jury answer, so a wrong `answer` file fails loudly.
SPLIT_CHECKER = r"""
#include <cstdio>
int main(int argc, char** argv) {
    if (argc < 4) return 3;
    FILE* in = std::fopen(argv[1], "r");
    FILE* out = std::fopen(argv[2], "r");
    FILE* ans = std::fopen(argv[3], "r");
    long long n, a, b, ja, jb;
    char extra;
    if (!in || !out || !ans || std::fscanf(in, "%lld", &n) != 1) return 3;
    if (std::fscanf(ans, "%lld %lld", &ja, &jb) != 2 || ja < 1 || jb < 1 || ja + jb != n) return 3;
    if (std::fscanf(out, "%lld %lld", &a, &b) != 2 || std::fscanf(out, " %c", &extra) == 1) {
        std::fprintf(stderr, "expected exactly two integers\n");
        return 1;
    }
    if (a < 1 || b < 1 || a + b != n) {
        std::fprintf(stderr, "%lld + %lld is not a split of %lld into positive parts\n", a, b, n);
        return 1;
    }
    return 0;
}
"""
# "Print any two positive integers a, b with a + b = n"; outputs are the golden `print(1, n - 1)`.
SPLIT = RLTask("split", "Print any two positive integers a and b with a + b = n.", [
    {"input": f"{n}\n", "output": f"1 {n - 1}\n"} for n in (4, 5, 10, 1_000_000)
], checker={"kind": "testlib", "code": SPLIT_CHECKER})
SPLIT_COMPLETIONS = {
    "halves": "```python\nn = int(input())\nprint(n // 2, n - n // 2)\n```",  # valid, and never the golden answer
    "golden": "```python\nn = int(input())\nprint(1, n - 1)\n```",
    "zero part": "```python\nn = int(input())\nprint(n, 0)\n```",
}


def test_testlib_checker_accepts_any_valid_answer():
    assert rewards(SPLIT, SPLIT_COMPLETIONS) == {"halves": 5.0, "golden": 5.0, "zero part": 0.0}
    assert rewards(dataclasses.replace(SPLIT, checker=None), SPLIT_COMPLETIONS) == {"halves": 0.0, "golden": 5.0,
                                                                                    "zero part": 0.0}
    assert verl_score(SPLIT, SPLIT_COMPLETIONS["halves"]) == 5.0
