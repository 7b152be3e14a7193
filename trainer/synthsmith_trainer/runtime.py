"""Device, precision, seeding, optimizer and schedule: the bits SFT and GRPO share."""

from __future__ import annotations

import contextlib
import math
import os
import random

import torch
from transformers import get_scheduler


def get_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def world_size() -> int:
    """Processes of this run: set by torchrun and accelerate launch, 1 for a plain `python -m`."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    """Only rank 0 writes progress events and final/; the worker reads one stream whatever the launcher."""
    return int(os.environ.get("RANK", "0")) == 0


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    # Weights and optimizer state stay fp32; matmuls run in bf16 on GPU. CPU stays fp32 so runs are deterministic.
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def build_optimizer_and_scheduler(
    model: torch.nn.Module, *, learning_rate: float, weight_decay: float, lr_scheduler: str, warmup_ratio: float,
    total_steps: int,
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=learning_rate, weight_decay=weight_decay
    )
    scheduler = get_scheduler(
        lr_scheduler, optimizer, num_warmup_steps=math.ceil(warmup_ratio * total_steps), num_training_steps=total_steps
    )
    return optimizer, scheduler
