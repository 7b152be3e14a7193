"""Function I/O (LeetCode-style) RL tasks: the reward runs the completion's class Solution through the judge's function
harness (fn_name from the RL record), in our GRPO and in the verl reward adapter, with the real judge."""

import importlib.util
import json
import shutil

import pytest

from synthsmith_trainer.config import get_preset
from synthsmith_trainer.data import RLTask, load_rl_dataset
from synthsmith_trainer.grpo import parse_args, score_group

from .conftest import TRAINER_ROOT

REPO = TRAINER_ROOT.parent
TSX = REPO / "node_modules" / ".bin" / "tsx"


@pytest.fixture(autouse=True, scope="module")
def _judge_installed() -> None:
    # A missing judge is a broken setup, not a reason to skip: `npm test` runs .ci/setup.sh first.
    assert TSX.exists() and shutil.which("bwrap") is not None, "needs npm ci and bubblewrap: run `npm run setup`"


# Outputs are what the harness prints: the canonical JSON of the method's result.
TESTS = [
    {"input": "[1, 2, 3, 4]\n5\n", "output": "2"},
    {"input": "[5]\n5\n", "output": "0"},
    {"input": "[2, 2, 2]\n4\n", "output": "3"},
    {"input": "[-1, 6, 0, 5]\n5\n", "output": "2"},
]
TASK = RLTask("pairs", "Count pairs i < j with nums[i] + nums[j] == k.", TESTS, "function", "pairSum")
CLASS = "class Solution:\n    def pairSum(self, nums, k):\n        return {body}\n"
COMPLETIONS = {
    "correct": "Count them.\n```python\n" + CLASS.format(
        body="sum(1 for i in range(len(nums)) for j in range(i) if nums[i] + nums[j] == k)") + "```",
    "half right": "```python\n" + CLASS.format(body="len(nums) // 2") + "```",  # 2, 0, 1, 2: three of four
    "wrong": "```python\n" + CLASS.format(body="-1") + "```",
    "stdio program": "```python\nprint(2)\n```",  # no class Solution: the harness fails it on every test
    "no code": "Count the pairs.",
}
EXPECTED = {"correct": 5.0, "half right": 3.75, "wrong": 0.0, "stdio program": 0.0, "no code": -2.0}


def test_grpo_rewards_of_function_completions_through_the_real_judge():
    args = parse_args(["--dataset", "x", "--output-dir", "x", "--judge-cmd", f"{TSX} workers/judge-cli.ts",
                       "--judge-cwd", str(REPO)])
    rewards, solved = score_group(TASK, list(COMPLETIONS.values()), get_preset("tiny").grpo, args, "f")
    assert dict(zip(COMPLETIONS, rewards)) == EXPECTED
    assert solved == [True, False, False, False, False]


def test_rl_dataset_carries_fn_name(tmp_path):
    path = tmp_path / "rl.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"task_id": "f", "prompt": "p", "io_mode": "function", "fn_name": "pairSum", "tests": TESTS},
        {"task_id": "s", "prompt": "p", "io_mode": "stdio", "tests": [{"input": "1\n", "output": "1"}]},
    ]) + "\n")
    tasks = load_rl_dataset(path)
    assert [(t.io_mode, t.fn_name) for t in tasks] == [("function", "pairSum"), ("stdio", None)]


def test_verl_reward_reads_fn_name_from_the_ground_truth(monkeypatch):
    spec = importlib.util.spec_from_file_location("synthsmith_verl_reward", REPO / "trainer" / "verl" / "reward.py")
    reward = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reward)
    monkeypatch.setattr(reward, "JUDGE_CMD", f"{TSX} workers/judge-cli.ts")
    # rl.parquet's ground truth (activities/store/parquet.ts) and prepare_data.py's: {"inputs", "outputs", "fn_name"}.
    truth = json.dumps({"inputs": [t["input"] for t in TESTS], "outputs": [t["output"] for t in TESTS], "fn_name": "pairSum"})
    scores = {name: reward.compute_score("synthsmith", text, truth, {"task_id": "pairs"}) for name, text in COMPLETIONS.items()}
    assert scores == EXPECTED
    # A stdio ground truth in the older list form still scores stdio programs.
    legacy = json.dumps([{"input": "3\n", "output": "6"}])
    assert reward.compute_score("synthsmith", "```python\nprint(int(input()) * 2)\n```", legacy, {"task_id": "d"}) == 5.0
