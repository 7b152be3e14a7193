"""Driver of bench/gpu-check.sh: runs each section as a child process with its own time limit, so one failing
section (say the plain TRL GRPO script) still leaves the others' numbers. Prints and writes one JSON report."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
DATA = REPO / "trainer" / "tests" / "data"
# The real judge needs node_modules and bubblewrap; a bare GPU image may have neither, and then the unsandboxed test
# judge stands in (same protocol, same pass counts on the tiny data) so the GPU numbers still come out.
_REAL = REPO / "node_modules/.bin/tsx"
PRESET = os.environ.get("SYNTHSMITH_BENCH_PRESET", "gpu-bench")  # "tiny" for a CPU dry run of the script itself
STEPS = os.environ.get("SYNTHSMITH_BENCH_STEPS")  # fewer steps for that dry run
JUDGE = os.environ.get("SYNTHSMITH_JUDGE_CMD") or (
    f"{_REAL} {REPO / 'workers/judge-cli.ts'}" if _REAL.exists() and shutil.which("bwrap")
    else f"{sys.executable} {REPO / 'trainer/tests/fake_judge.py'}")


class GpuSampler(threading.Thread):
    """nvidia-smi every 0.5 s: (time, utilisation %, memory MiB) of GPU 0."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float, float]] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            if shutil.which("nvidia-smi") is None:
                return
            out = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits",
                                  "-i", "0"], capture_output=True, text=True).stdout.strip()
            if out:
                util, mem = (float(x) for x in out.split(","))
                self.samples.append((time.monotonic(), util, mem))
            time.sleep(0.5)

    def window(self, start: float, end: float) -> list[tuple[float, float, float]]:
        return [s for s in self.samples if start <= s[0] <= end]


def run_events(cmd: list[str], timeout: int, cwd: Path) -> tuple[int, list[dict], float, str]:
    """Run a trainer entry point; returns (rc, events with arrival times, seconds, stderr tail)."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events: list[dict] = []
    err: list[str] = []
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
    try:
        for line in proc.stdout:  # type: ignore[union-attr]
            try:
                events.append({**json.loads(line), "t": time.monotonic()})
            except ValueError:
                pass
            if time.monotonic() - started > timeout:
                proc.kill()
        proc.wait(timeout=max(1, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        proc.kill()
    return proc.returncode, events, time.monotonic() - started, "".join(err)[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    report: dict = {"judge": JUDGE, "preset": PRESET, "device": subprocess.run(
        ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"], capture_output=True, text=True
    ).stdout.strip() if shutil.which("nvidia-smi") else "no GPU"}

    def save() -> None:  # after every section, so a time-out still leaves the sections that finished
        (out / "gpu-check.json").write_text(json.dumps(report, indent=2))

    gpu = GpuSampler()
    gpu.start()

    # 1. Our SFT (TRL SFTTrainer + our data path and progress protocol).
    sft_dir = out / "sft"
    rc, ev, secs, err = run_events([PY, "-m", "synthsmith_trainer.sft", "--dataset", str(DATA / "sft_tiny.jsonl"),
                                    "--output-dir", str(sft_dir), "--preset", PRESET, "--max-steps", STEPS or "30"], 150,
                                   REPO / "trainer")
    steps = [e for e in ev if e["event"] == "step"]
    done = next((e["metrics"] for e in ev if e["event"] == "done"), {})
    report["ours_sft"] = {"rc": rc, "seconds": round(secs, 1), "steps": len(steps),
                          # measured like the plain script: all tokens over the whole train() call
                          "tokens_per_s_overall": round(done["tokens"] / done["train_seconds"], 1) if done.get("tokens") else None,
                          "tokens_per_s_steady": statistics.median([e["tokens_per_s"] for e in steps[5:]]) if len(steps) > 6 else
                          (steps[-1].get("tokens_per_s") if steps else None),
                          "last_loss": steps[-1]["loss"] if steps else None, "peak_mem_mib": max((s[2] for s in gpu.samples), default=None),
                          **({"stderr": err} if rc else {})}

    save()

    # 2. Plain TRL SFT on the same model shape and data.
    proc = subprocess.run([PY, str(REPO / "bench" / "gpu-check-trl.py"), "sft", "--out", str(out / "plain_sft")],
                          capture_output=True, text=True, timeout=120, cwd=REPO / "trainer")
    report["plain_trl_sft"] = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"rc": proc.returncode, "stderr": proc.stderr[-2000:]}

    save()

    # 3. Our GRPO from the SFT result, judged by the real judge; idle share = GPU time spent waiting for rewards.
    rc, ev, secs, err = run_events([PY, "-m", "synthsmith_trainer.grpo", "--dataset", str(DATA / "rl_tiny.jsonl"),
                                    "--output-dir", str(out / "grpo"), "--init-from", str(sft_dir / "final"),
                                    "--preset", PRESET, "--judge-cmd", JUDGE, "--judge-cwd", str(REPO),
                                    *(["--max-steps", STEPS] if STEPS else [])], 150,
                                   REPO / "trainer")
    steps = [e for e in ev if e["event"] == "step"]
    start = next((e["t"] for e in ev if e["event"] == "start"), None)
    window = gpu.window(start, steps[-1]["t"]) if start and steps else []
    report["ours_grpo"] = {
        "rc": rc, "seconds": round(secs, 1), "steps": len(steps),
        "tokens_per_s": statistics.median([e["tokens_per_s"] for e in steps]) if steps else None,
        "reward_wait_s": [e["reward_wait_s"] for e in steps],
        "idle_share_waiting_for_reward": round(sum(e["reward_wait_s"] for e in steps) / (steps[-1]["t"] - start), 3) if steps and start else None,
        "mean_gpu_util_pct": round(statistics.mean(s[1] for s in window), 1) if window else None,
        "share_of_samples_util_below_5pct": round(sum(s[1] < 5 for s in window) / len(window), 3) if window else None,
        **({"stderr": err} if rc else {}),
    }

    save()

    # 4. Plain TRL GRPOTrainer, same model and reward (its reward call blocks the GPU until the judge answers).
    proc = subprocess.run([PY, str(REPO / "bench" / "gpu-check-trl.py"), "grpo", "--out", str(out / "plain_grpo"), "--judge", JUDGE,
                           "--init-from", str(sft_dir / "final")], capture_output=True, text=True, timeout=150, cwd=REPO / "trainer")
    report["plain_trl_grpo"] = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"rc": proc.returncode, "stderr": proc.stderr[-2000:]}

    gpu.stopped.set()
    report["peak_mem_mib"] = max((s[2] for s in gpu.samples), default=None)
    save()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
