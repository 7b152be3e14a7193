"""RL.jsonl (SynthSmith's export) -> the parquet files verl reads.

    python trainer/verl/prepare_data.py --dataset .data/runs/<run>/dataset/rl.jsonl --output-dir data/verl

Each row: data_source, prompt (chat messages), ability, reward_model {style: rule, ground_truth: JSON
{"inputs", "outputs", "fn_name"?}, the APPS/TACO convention our own rl.parquet uses too}, extra_info {task_id, split}. The prompt is the same user turn our own trainer renders with the chat template.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from datasets import Dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--val-fraction", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    records = [json.loads(line) for line in Path(args.dataset).read_text().splitlines() if line.strip()]
    rows = [{
        "data_source": "synthsmith",
        "prompt": [{"role": "user", "content": r["prompt"]}],
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": json.dumps({
            "inputs": [t["input"] for t in r["tests"]],
            "outputs": [t["output"] for t in r["tests"]],
            **({"fn_name": r["fn_name"]} if r.get("io_mode") == "function" and r.get("fn_name") else {}),
        })},
        "extra_info": {"task_id": r["task_id"], "split": "train"},
    } for r in records if r.get("tests")]
    random.Random(args.seed).shuffle(rows)
    n_val = max(1, int(len(rows) * args.val_fraction)) if len(rows) > 1 else 0
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    Dataset.from_list(rows[n_val:]).to_parquet(str(out / "train.parquet"))
    Dataset.from_list(rows[:n_val] or rows).to_parquet(str(out / "val.parquet"))
    print(f"{len(rows) - n_val} train / {n_val} val rows in {out}")


if __name__ == "__main__":
    main()
