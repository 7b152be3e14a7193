"""JSONL loading, SFT tokenization with assistant-only labels, and the deterministic example order."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import torch
from transformers import PreTrainedTokenizerBase

from .judge import CheckerError, parse_checker
from .tokenizer import split_prompt_completion

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100  # label value cross_entropy skips: prompt and padding tokens


def read_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class SFTExample:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX on prompt tokens, the token id on assistant tokens


def encode_sft(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]], max_length: int) -> SFTExample:
    # Prompt and completion are tokenized separately and concatenated, so the label boundary is exact
    # (no offset mapping, no reliance on how the tokenizer merges across the boundary).
    prompt, completion = split_prompt_completion(tokenizer, messages)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    input_ids = (prompt_ids + completion_ids)[:max_length]
    labels = ([IGNORE_INDEX] * len(prompt_ids) + completion_ids)[:max_length]
    return SFTExample(input_ids=input_ids, labels=labels)


def load_sft_dataset(path: str | Path, tokenizer: PreTrainedTokenizerBase, max_length: int) -> list[SFTExample]:
    examples = []
    for i, record in enumerate(read_jsonl(path)):
        example = encode_sft(tokenizer, record["messages"], max_length)
        if all(label == IGNORE_INDEX for label in example.labels):
            logger.warning("record %d (%s): prompt fills max_seq_length, skipped", i, record.get("task_id"))
            continue
        if len(example.input_ids) == max_length:
            logger.warning("record %d (%s): truncated to %d tokens", i, record.get("task_id"), max_length)
        examples.append(example)
    if not examples:
        raise SystemExit(f"{path}: no usable SFT records")
    return examples


def collate_sft(examples: list[SFTExample], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Right-pad a micro-batch; padding gets attention_mask 0 and label IGNORE_INDEX."""
    width = max(len(e.input_ids) for e in examples)
    input_ids = torch.full((len(examples), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e.input_ids)
        input_ids[row, :n] = torch.tensor(e.input_ids)
        labels[row, :n] = torch.tensor(e.labels)
        attention_mask[row, :n] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask}


@dataclass
class RLTask:
    task_id: str
    prompt: str
    tests: list[dict[str, str]]
    io_mode: str = "stdio"
    # Function I/O (LeetCode-style) tasks: the method the judge calls as Solution().<fn_name>(*args).
    fn_name: Optional[str] = None
    # The task's output rule, sent to the judge as is (judge.parse_checker lists the shapes); None = exact match.
    # Each test's output is the golden solution's stdout (for testlib, the jury answer the checker reads).
    checker: Optional[dict[str, Any]] = None


def load_rl_dataset(path: str | Path) -> list[RLTask]:
    tasks = []
    for record in read_jsonl(path):
        try:
            # Validated before anything else: a malformed checker is an exporter bug that must stop the run, not a
            # judge failure at whichever step first samples the task.
            checker = parse_checker(record.get("checker"), str(record.get("task_id")))
        except CheckerError as e:
            raise SystemExit(f"{path}: {e}") from e
        if not record.get("tests"):
            logger.warning("task %s has no tests, skipped (its reward could only be 0 or -2)", record.get("task_id"))
            continue
        tasks.append(RLTask(record["task_id"], record["prompt"], record["tests"], record.get("io_mode", "stdio"),
                            record.get("fn_name"), checker))
    if not tasks:
        raise SystemExit(f"{path}: no usable RL tasks")
    return tasks


@lru_cache(maxsize=16)
def _epoch_order(n: int, seed: int, epoch: int) -> tuple[int, ...]:
    order = list(range(n))
    random.Random(f"{seed}:{epoch}").shuffle(order)
    return tuple(order)


def example_indices(n: int, seed: int, start: int, count: int) -> list[int]:
    """Positions [start, start+count) of an endless stream of per-epoch shuffles of range(n).

    A pure function of (seed, position), so a resumed run sees exactly the batches the uninterrupted run would have,
    without saving any sampler state.
    """
    return [_epoch_order(n, seed, p // n)[p % n] for p in range(start, start + count)]
