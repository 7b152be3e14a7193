"""The task's checker (its output rule) travels from the exported data to the judge's payload: from an rl.jsonl record
through our GRPO reward, and from a verl ground_truth (rl.parquet or prepare_data.py) through verl/reward.py.
The fake judge records each request; test_checker_real_judge.py checks what the real judge does with it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest

from synthsmith_trainer.config import get_preset
from synthsmith_trainer.data import load_rl_dataset
from synthsmith_trainer.grpo import parse_args, score_group
from synthsmith_trainer.judge import CheckerError, parse_checker

from .conftest import FAKE_JUDGE_CMD, TRAINER_ROOT

FLOAT = {"kind": "float", "absTolerance": 1e-6, "relTolerance": 1e-9}
TESTLIB = {"kind": "testlib", "code": "int main() { return 0; }"}
TESTS = [{"input": "1 3\n", "output": "0.333333333\n"}, {"input": "2 4\n", "output": "0.500000000\n"}]
CODE = "```python\na, b = map(int, input().split())\nprint(a / b)\n```"


def load_verl(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"synthsmith_verl_{name}", TRAINER_ROOT / "verl" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def recorded(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("checker", [{"kind": "exact"}, {"kind": "token"}, {"kind": "float"}, FLOAT,
                                     {"kind": "float", "absTolerance": 0}, TESTLIB])
def test_valid_checkers_pass_as_is(checker):
    assert parse_checker(checker, "t") == checker
    assert parse_checker(None, "t") is None  # absent: exact, the judge's default


@pytest.mark.parametrize("checker, field", [
    ("float", "checker"),
    ({}, "checker.kind"),
    ({"kind": "approx"}, "checker.kind"),
    ({"kind": "float", "absTolerance": -1}, "checker.absTolerance"),
    ({"kind": "float", "relTolerance": "1e-6"}, "checker.relTolerance"),
    ({"kind": "float", "absTolerance": True}, "checker.absTolerance"),
    ({"kind": "float", "abs_tolerance": 1e-6}, "checker.abs_tolerance"),  # misspelt: would silently use the default
    ({"kind": "testlib"}, "checker.code"),
    ({"kind": "testlib", "code": ""}, "checker.code"),
    ({"kind": "exact", "code": "x"}, "checker.code"),
])
def test_malformed_checkers_name_the_task_and_field(checker, field):
    with pytest.raises(CheckerError, match=rf"task 'sum-7': {field.replace('.', '[.]')} "):
        parse_checker(checker, "sum-7")


def test_rl_record_checker_reaches_the_judge_payload(tmp_path):
    dataset = write_jsonl(tmp_path / "rl.jsonl", [
        {"task_id": "ratio", "prompt": "p", "tests": TESTS, "io_mode": "stdio", "checker": FLOAT},
        {"task_id": "any", "prompt": "p", "tests": TESTS, "io_mode": "stdio", "checker": TESTLIB},
        {"task_id": "old", "prompt": "p", "tests": TESTS, "io_mode": "stdio"},  # no checker: exact, as before
    ])
    tasks = load_rl_dataset(dataset)
    assert [t.checker for t in tasks] == [FLOAT, TESTLIB, None]

    record = tmp_path / "requests.jsonl"
    args = parse_args(["--dataset", str(dataset), "--output-dir", "x", "--judge-cmd",
                       f"{FAKE_JUDGE_CMD} --record {record}"])
    for task in tasks:
        score_group(task, [CODE, CODE], get_preset("tiny").grpo, args, task.task_id)
    requests = recorded(record)
    assert [r.get("checker") for r in requests] == [FLOAT, TESTLIB, None]
    assert "checker" not in requests[2]  # the old payload, byte for byte
    assert all(r["tests"] == TESTS for r in requests)


def test_malformed_rl_record_checker_stops_loading(tmp_path):
    dataset = write_jsonl(tmp_path / "rl.jsonl", [
        {"task_id": "fine", "prompt": "p", "tests": TESTS},
        {"task_id": "broken", "prompt": "p", "tests": TESTS, "checker": {"kind": "float", "absTolerance": "tiny"}},
    ])
    with pytest.raises(SystemExit, match=r"task 'broken': checker[.]absTolerance must be a finite number"):
        load_rl_dataset(dataset)


def test_verl_ground_truth_checker_reaches_the_judge_payload(tmp_path, monkeypatch):
    reward = load_verl("reward")
    record = tmp_path / "requests.jsonl"
    monkeypatch.setattr(reward, "JUDGE_CMD", f"{FAKE_JUDGE_CMD} --record {record}")
    truth = {"inputs": [t["input"] for t in TESTS], "outputs": [t["output"] for t in TESTS]}

    parsed = reward.parse_ground_truth(json.dumps({**truth, "checker": FLOAT}), "ratio")
    assert (parsed.tests, parsed.fn_name, parsed.checker) == (TESTS, None, FLOAT)
    reward.compute_score("synthsmith", CODE, json.dumps({**truth, "checker": FLOAT}), {"task_id": "ratio"})
    reward.compute_score("synthsmith", CODE, json.dumps(truth), {"task_id": "old"})
    assert [r.get("checker") for r in recorded(record)] == [FLOAT, None]

    with pytest.raises(CheckerError, match=r"task 'bad': ground_truth[.]checker[.]kind"):
        reward.compute_score("synthsmith", CODE, json.dumps({**truth, "checker": {"kind": "fuzzy"}}), {"task_id": "bad"})


def test_prepare_data_carries_the_checker_into_ground_truth(tmp_path, monkeypatch):
    prepare, reward = load_verl("prepare_data"), load_verl("reward")
    dataset = write_jsonl(tmp_path / "rl.jsonl", [
        {"task_id": "ratio", "prompt": "p", "tests": TESTS, "io_mode": "stdio", "checker": FLOAT},
        {"task_id": "old", "prompt": "p", "tests": TESTS, "io_mode": "stdio"},
        {"task_id": "fn", "prompt": "p", "tests": TESTS, "io_mode": "function", "fn_name": "solve", "checker": TESTLIB},
    ])
    prepare.main(["--dataset", str(dataset), "--output-dir", str(tmp_path / "out")])  # 2 train rows, 1 val row
    rows = [row for split in ("train", "val") for row in pq.read_table(tmp_path / "out" / f"{split}.parquet").to_pylist()]
    truths = {row["extra_info"]["task_id"]: json.loads(row["reward_model"]["ground_truth"]) for row in rows}
    assert truths["ratio"]["checker"] == FLOAT and "checker" not in truths["old"]
    assert (truths["fn"]["fn_name"], truths["fn"]["checker"]) == ("solve", TESTLIB)

    # What verl hands compute_score is exactly that string: the checker reaches the judge from the parquet row.
    record = tmp_path / "requests.jsonl"
    monkeypatch.setattr(reward, "JUDGE_CMD", f"{FAKE_JUDGE_CMD} --record {record}")
    row = next(r for r in rows if r["extra_info"]["task_id"] == "ratio")
    reward.compute_score(row["data_source"], CODE, row["reward_model"]["ground_truth"], row["extra_info"])
    assert recorded(record)[0]["checker"] == FLOAT

    broken = write_jsonl(tmp_path / "broken.jsonl", [{"task_id": "b", "prompt": "p", "tests": TESTS,
                                                      "checker": {"kind": "testlib", "code": 3}}])
    with pytest.raises(SystemExit, match=r"task 'b': checker[.]code must be a non-empty string"):
        prepare.main(["--dataset", str(broken), "--output-dir", str(tmp_path / "out2")])
