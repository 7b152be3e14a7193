import pytest

from synthsmith_trainer.judge import JudgeError, run_judge
from synthsmith_trainer.reward import completion_reward, extract_python_code, reward_from_counts, sample_tests

from .conftest import FAKE_JUDGE_CMD

GOOD = "Reasoning first.\n\n```python\nprint(int(input()) * 2)\n```"


def test_extracts_last_python_block():
    text = "draft:\n```python\nx = 1\n```\nbetter:\n```python\nx = 2\n```\ntrailing words"
    assert extract_python_code(text) == "x = 2\n"


def test_extraction_ignores_other_and_unclosed_blocks():
    assert extract_python_code("```cpp\nint main(){}\n```") is None
    assert extract_python_code("```python\nprint(1)\n") is None  # truncated before the closing fence
    assert extract_python_code("```Python  \nprint(1)\n```") == "print(1)\n"


def test_no_code_block_is_penalised():
    assert completion_reward("I think the answer is 42.", passed=3, total=3) == -2.0


def test_syntax_error_is_penalised():
    assert completion_reward("```python\ndef f(:\n    pass\n```", passed=3, total=3) == -2.0


def test_none_passed_is_zero():
    assert completion_reward(GOOD, passed=0, total=4) == 0.0


def test_partial_and_full_pass():
    assert completion_reward(GOOD, passed=1, total=4) == pytest.approx(1.25)
    assert completion_reward(GOOD, passed=4, total=4) == 5.0
    assert reward_from_counts(3, 10) == pytest.approx(1.5)


def test_sample_tests_is_bounded_and_deterministic():
    tests = [{"input": str(i), "output": str(i)} for i in range(25)]
    picked = sample_tests(tests, 10, seed=1, task_id="t")
    assert len(picked) == 10 and picked == sample_tests(tests, 10, seed=1, task_id="t")
    assert picked != sample_tests(tests, 10, seed=2, task_id="t")
    assert sample_tests(tests[:3], 10, seed=1, task_id="t") == tests[:3]


def test_fake_judge_round_trip():
    tests = [{"input": "2\n", "output": "4\n"}, {"input": "5\n", "output": "11\n"}]
    verdicts = run_judge(FAKE_JUDGE_CMD, [{"id": "a", "code": extract_python_code(GOOD)}], tests, cwd=None,
                         timeout_s=30)
    assert (verdicts["a"].passed, verdicts["a"].total) == (1, 2)


def test_failing_judge_raises():
    with pytest.raises(JudgeError):
        run_judge("false", [{"id": "a", "code": "print(1)"}], [], cwd=None, timeout_s=30)
