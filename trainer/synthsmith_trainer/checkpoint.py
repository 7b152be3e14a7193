"""Atomic checkpoints and resume.

A checkpoint is written into a hidden temp dir and renamed to `checkpoint-<step>` only once complete, so a kill at
any moment leaves either a whole checkpoint or a temp dir that `latest_checkpoint` never picks (and the next start
deletes). `final/` is published the same way.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any, Optional

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = logging.getLogger(__name__)

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
_TMP_PREFIX = ".tmp-"
STATE_FILE = "trainer_state.json"
TRAINING_STATE_FILE = "training_state.pt"
FINAL_DIR = "final"


def _checkpoints(output_dir: Path) -> list[tuple[int, Path]]:
    found = []
    for child in output_dir.iterdir() if output_dir.is_dir() else []:
        m = _CHECKPOINT.match(child.name)
        if m and (child / STATE_FILE).is_file():
            found.append((int(m.group(1)), child))
    return sorted(found)


def latest_checkpoint(output_dir: Path) -> Optional[Path]:
    found = _checkpoints(output_dir)
    return found[-1][1] if found else None


def remove_incomplete_checkpoints(output_dir: Path) -> None:
    """A `checkpoint-<step>` without trainer_state.json was cut off mid-save (Trainer writes that file last)."""
    for child in output_dir.iterdir() if output_dir.is_dir() else []:
        if _CHECKPOINT.match(child.name) and child.is_dir() and not (child / STATE_FILE).is_file():
            logger.info("removing incomplete %s", child.name)
            shutil.rmtree(child, ignore_errors=True)


def remove_stale_temp_dirs(output_dir: Path) -> None:
    for child in output_dir.glob(_TMP_PREFIX + "*"):
        logger.info("removing incomplete %s", child.name)
        shutil.rmtree(child, ignore_errors=True)


def _publish(tmp: Path, target: Path) -> None:
    """Rename a finished temp dir into place. A rename cannot replace a non-empty dir, so an old target is first
    renamed aside (still atomic for readers: they see the old or the new dir, never a mix)."""
    if target.exists():
        aside = target.with_name(f"{_TMP_PREFIX}old-{target.name}-{os.getpid()}")
        os.rename(target, aside)
        os.rename(tmp, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.rename(tmp, target)
    # Make the rename itself durable, not only the files.
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def save_checkpoint(
    output_dir: Path, step: int, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
    optimizer: torch.optim.Optimizer, scheduler: Any, state: dict[str, Any], save_total_limit: int,
) -> Path:
    """Write output_dir/checkpoint-<step>/: model, tokenizer, optimizer+scheduler+RNG, trainer_state.json."""
    tmp = output_dir / f"{_TMP_PREFIX}checkpoint-{step}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": _rng_state()},
        tmp / TRAINING_STATE_FILE,
    )
    (tmp / STATE_FILE).write_text(json.dumps({**state, "step": step}, indent=2))
    target = output_dir / f"checkpoint-{step}"
    _publish(tmp, target)
    for _, old in _checkpoints(output_dir)[:-save_total_limit] if save_total_limit > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    return target


def load_checkpoint_state(path: Path, optimizer: torch.optim.Optimizer, scheduler: Any) -> dict[str, Any]:
    """Restore optimizer, scheduler and RNG streams (the model itself is loaded with from_pretrained(path));
    returns trainer_state.json."""
    blob = torch.load(path / TRAINING_STATE_FILE, map_location="cpu", weights_only=False)  # our own file
    optimizer.load_state_dict(blob["optimizer"])
    scheduler.load_state_dict(blob["scheduler"])
    random.setstate(blob["rng"]["python"])
    torch.set_rng_state(blob["rng"]["torch"])
    if "cuda" in blob["rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(blob["rng"]["cuda"])
    return json.loads((path / STATE_FILE).read_text())


def save_final(output_dir: Path, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase) -> Path:
    """Publish output_dir/final/: weights + tokenizer only, loadable by --init-from."""
    tmp = output_dir / f"{_TMP_PREFIX}{FINAL_DIR}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    target = output_dir / FINAL_DIR
    _publish(tmp, target)
    return target
