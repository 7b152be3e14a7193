"""RL.jsonl (SynthSmith's export) -> the parquet files verl reads.

    python trainer/verl/prepare_data.py --dataset .data/runs/<run>/dataset/rl.jsonl --output-dir data/verl

Each row: data_source, prompt (chat messages), ability, reward_model {style: rule, ground_truth: JSON
{"inputs", "outputs", "fn_name"?, "checker"?}, the APPS/TACO convention our own rl.parquet uses too}, extra_info
{task_id, split}. The prompt is the same user turn our own trainer renders with the chat template. "checker" is the
record's output rule, copied as is after the same validation our trainer does (a malformed one stops the conversion,
naming the task), so verl's reward (reward.py) judges with the same rule as our GRPO.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any, Optional

from datasets import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # trainer/, for synthsmith_trainer

from synthsmith_trainer.judge import CheckerError, parse_checker  # noqa: E402


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """One verl row of an RL.jsonl record (which must have tests)."""
    checker = parse_checker(record.get("checker"), str(record.get("task_id")))
    truth = {
        "inputs": [t["input"] for t in record["tests"]],
        "outputs": [t["output"] for t in record["tests"]],
        **({"fn_name": record["fn_name"]} if record.get("io_mode") == "function" and record.get("fn_name") else {}),
        **({"checker": checker} if checker else {}),
    }
    return {
        "data_source": "synthsmith",
        "prompt": [{"role": "user", "content": record["prompt"]}],
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": json.dumps(truth)},
        "extra_info": {"task_id": record["task_id"], "split": "train"},
    }


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--val-fraction", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    records = [json.loads(line) for line in Path(args.dataset).read_text().splitlines() if line.strip()]
    try:
        rows = [to_row(r) for r in records if r.get("tests")]
    except CheckerError as e:
        raise SystemExit(f"{args.dataset}: {e}") from e
    random.Random(args.seed).shuffle(rows)
    n_val = max(1, int(len(rows) * args.val_fraction)) if len(rows) > 1 else 0
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    Dataset.from_list(rows[n_val:]).to_parquet(str(out / "train.parquet"))
    Dataset.from_list(rows[:n_val] or rows).to_parquet(str(out / "val.parquet"))
    print(f"{len(rows) - n_val} train / {n_val} val rows in {out}")


if __name__ == "__main__":
    main()
