"""The paper's reward of known completions, with pass counts from the real judge (workers/judge-cli.ts in the
bubblewrap sandbox), exactly as GRPO computes it."""

import shutil

import pytest

from synthsmith_trainer.grpo import parse_args, score_group
from synthsmith_trainer.config import get_preset
from synthsmith_trainer.data import RLTask

from .conftest import TRAINER_ROOT

REPO = TRAINER_ROOT.parent
TSX = REPO / "node_modules" / ".bin" / "tsx"


@pytest.fixture(autouse=True, scope="module")
def _judge_installed() -> None:
    # A missing judge is a broken setup, not a reason to skip: `npm test` runs .ci/setup.sh first.
    assert TSX.exists() and shutil.which("bwrap") is not None, "needs npm ci and bubblewrap: run `npm run setup`"

TASK = RLTask("double", "Print twice the number.", [
    {"input": "1\n", "output": "2\n"}, {"input": "2\n", "output": "4\n"},
    {"input": "3\n", "output": "6\n"}, {"input": "10\n", "output": "20\n"},
])
COMPLETIONS = {
    "correct": "Double it.\n```python\nprint(int(input()) * 2)\n```",
    "half right": "Square it?\n```python\nn = int(input())\nprint(n * n if n < 3 else n + 1)\n```",  # 1->1 2->4 3->4 10->11
    "wrong": "```python\nprint(0)\n```",
    "crash": "```python\nraise SystemExit(3)\n```",
    "no code": "The answer is to double the number.",
    "syntax error": "```python\ndef f(:\n    pass\n```",
}


def test_rewards_of_known_completions_through_the_real_judge():
    args = parse_args(["--dataset", "x", "--output-dir", "x", "--judge-cmd", f"{TSX} workers/judge-cli.ts",
                       "--judge-cwd", str(REPO)])
    rewards, solved = score_group(TASK, list(COMPLETIONS.values()), get_preset("tiny").grpo, args, "t")
    assert dict(zip(COMPLETIONS, rewards)) == {
        "correct": 5.0, "half right": 1.25, "wrong": 0.0, "crash": 0.0, "no code": -2.0, "syntax error": -2.0,
    }
    assert solved == [True, False, False, False, False, False]
