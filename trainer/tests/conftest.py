from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

TRAINER_ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SFT_DATA = DATA / "sft_tiny.jsonl"
RL_DATA = DATA / "rl_tiny.jsonl"
FAKE_JUDGE_CMD = f"{sys.executable} {Path(__file__).resolve().parent / 'fake_judge.py'}"


@dataclass
class Run:
    returncode: int
    events: list[dict]
    stderr: str

    def of(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["event"] == kind]


def run_cli(module: str, *args: str, sigterm_on: Optional[str] = None, timeout: float = 120) -> Run:
    """Run an entry point the way the TypeScript worker does (cwd = trainer/, no PYTHONPATH) and parse stdout.

    sigterm_on: send SIGTERM as soon as the first event of this kind is read ("startup": 1 s after spawning, while
    torch is still being imported).
    Every stdout line must be a JSON event: anything else breaks the protocol and fails the test here.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen(
        [sys.executable, "-m", f"synthsmith_trainer.{module}", *args],
        cwd=TRAINER_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if sigterm_on == "startup":
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
    events = []
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        events.append(event)
        if sigterm_on is not None and event["event"] == sigterm_on:
            proc.send_signal(signal.SIGTERM)
            sigterm_on = None
    _, stderr = proc.communicate(timeout=timeout)
    return Run(proc.returncode, events, stderr)


SFT_ARGS = ("--dataset", str(SFT_DATA), "--preset", "tiny", "--max-steps", "150", "--save-every", "50", "--seed", "0")


@pytest.fixture(scope="session")
def sft_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    """One uninterrupted tiny SFT run, shared: the loss test reads it, the resume test compares against it,
    and the GRPO test starts from its final/."""
    out = tmp_path_factory.mktemp("sft")
    run = run_cli("sft", *SFT_ARGS, "--output-dir", str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    return run, out
