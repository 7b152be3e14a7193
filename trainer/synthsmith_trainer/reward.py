"""The paper's reward rule, as pure functions (the judge call that supplies pass counts lives in judge.py).

    reward = -2                      no ```python block, or the code does not parse
    reward =  0                      it parses but passes no test
    reward =  5 * passed / total     otherwise, over at most --max-tests tests
"""

from __future__ import annotations

import ast
import random
import re
from typing import Optional

FORMAT_PENALTY = -2.0
MAX_REWARD = 5.0

# A fenced block opened by ```python (any case, optional trailing spaces) and closed by ```.
# An unclosed block (a truncated completion) does not count as code.
_PYTHON_BLOCK = re.compile(r"```python[ \t]*\r?\n(.*?)```", re.DOTALL | re.IGNORECASE)


def extract_python_code(text: str) -> Optional[str]:
    """The last ```python block of a completion: the answer follows the reasoning, which may show drafts."""
    blocks = _PYTHON_BLOCK.findall(text)
    return blocks[-1] if blocks else None


def parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):  # ValueError: source contains null bytes
        return False
    return True


def judgeable_code(text: str) -> Optional[str]:
    """The code to send to the judge, or None when the completion earns the format penalty without running."""
    code = extract_python_code(text)
    return code if code is not None and parses(code) else None


def reward_from_counts(passed: int, total: int) -> float:
    """Reward for code that parsed and was judged."""
    if total <= 0 or passed <= 0:
        return 0.0
    return MAX_REWARD * passed / total


def completion_reward(text: str, passed: Optional[int] = None, total: Optional[int] = None) -> float:
    """Full rule for one completion; `passed`/`total` are the judge's counts (ignored when the code is unusable)."""
    if judgeable_code(text) is None:
        return FORMAT_PENALTY
    return reward_from_counts(passed or 0, total or 0)


def sample_tests(tests: list[dict[str, str]], max_tests: int, seed: int, task_id: str) -> list[dict[str, str]]:
    """At most `max_tests` tests, the same subset for a task on every step (seeded by seed and task id)."""
    if len(tests) <= max_tests:
        return list(tests)
    keep = sorted(random.Random(f"{seed}:{task_id}").sample(range(len(tests)), max_tests))
    return [tests[i] for i in keep]
