"""Supervised fine-tuning on SFT.jsonl (TRL chat records), loss on assistant tokens only.

    python -m synthsmith_trainer.sft --dataset SFT.jsonl --output-dir out/sft --preset tiny --max-steps 150
"""

from __future__ import annotations

from . import progress

progress.handle_sigterm()  # before the slow torch import, so an early cancel also exits with 143

import argparse  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from .checkpoint import latest_checkpoint, load_checkpoint_state, remove_stale_temp_dirs, save_checkpoint  # noqa: E402
from .checkpoint import save_final  # noqa: E402
from .config import add_common_args, apply_overrides, get_preset  # noqa: E402
from .data import IGNORE_INDEX, collate_sft, example_indices, load_sft_dataset  # noqa: E402
from .model import load_model_and_tokenizer  # noqa: E402
from .runtime import autocast, build_optimizer_and_scheduler, get_device, seed_everything  # noqa: E402

logger = logging.getLogger("synthsmith_trainer.sft")


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--batch-size", dest="per_device_batch_size", type=int, default=None, help="micro-batch")
    parser.add_argument("--grad-accum", dest="gradient_accumulation_steps", type=int, default=None)
    parser.add_argument("--num-epochs", dest="num_epochs", type=float, default=None, help="used when no max steps")
    parser.add_argument("--max-seq-length", dest="max_seq_length", type=int, default=None)
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> None:
    args = parse_args(argv)
    progress.setup()
    preset = get_preset(args.preset)
    cfg = apply_overrides(preset.sft, args)
    output_dir = Path(args.output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(output_dir)

    seed_everything(args.seed)
    device = get_device()
    resume = latest_checkpoint(output_dir)
    source = str(resume) if resume else (args.init_from or args.model_name_or_path or preset.model_name_or_path)
    model, tokenizer = load_model_and_tokenizer(preset, source, device)
    examples = load_sft_dataset(args.dataset, tokenizer, cfg.max_seq_length)

    global_batch = cfg.per_device_batch_size * cfg.gradient_accumulation_steps
    total_steps = cfg.max_steps or math.ceil(cfg.num_epochs * len(examples) / global_batch)
    optimizer, scheduler = build_optimizer_and_scheduler(
        model, learning_rate=cfg.learning_rate, weight_decay=cfg.weight_decay, lr_scheduler=cfg.lr_scheduler,
        warmup_ratio=cfg.warmup_ratio, total_steps=total_steps,
    )
    state: dict = {"kind": "sft", "preset": preset.name, "seed": args.seed, "total_steps": total_steps}
    start_step = 0
    if resume:
        state = {**load_checkpoint_state(resume, optimizer, scheduler), "total_steps": total_steps}
        if state.get("kind") != "sft":
            raise SystemExit(f"{resume} is a {state.get('kind')} checkpoint; use a fresh --output-dir for sft")
        start_step = state["step"]
        logger.info("resuming from %s", resume)
    logger.info("%d examples, global batch %d, %d steps on %s", len(examples), global_batch, total_steps, device)
    progress.emit("start", kind="sft", total_steps=total_steps, resumed_from_step=start_step)

    model.train()
    for step in range(start_step + 1, total_steps + 1):
        batch_examples = [examples[i] for i in example_indices(len(examples), args.seed, (step - 1) * global_batch,
                                                                global_batch)]
        # Normalise by the assistant tokens of the whole global batch, not per micro-batch, so gradient
        # accumulation gives the same gradient as one big batch.
        n_target_tokens = sum(sum(label != IGNORE_INDEX for label in e.labels[1:]) for e in batch_examples)
        optimizer.zero_grad(set_to_none=True)
        step_loss = 0.0
        for i in range(0, global_batch, cfg.per_device_batch_size):
            batch = {k: v.to(device) for k, v in
                     collate_sft(batch_examples[i:i + cfg.per_device_batch_size], tokenizer.pad_token_id).items()}
            with autocast(device):
                logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            loss = F.cross_entropy(
                logits[:, :-1].float().reshape(-1, logits.size(-1)), batch["labels"][:, 1:].reshape(-1),
                ignore_index=IGNORE_INDEX, reduction="sum",
            ) / n_target_tokens
            loss.backward()
            step_loss += loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()

        state.setdefault("first_loss", step_loss)
        state["last_loss"] = step_loss
        progress.emit("step", step=step, loss=step_loss, lr=lr)
        if step % cfg.save_every == 0 or step == total_steps:
            path = save_checkpoint(output_dir, step, model, tokenizer, optimizer, scheduler, state, cfg.save_total_limit)
            progress.emit("checkpoint", step=step, path=str(path))

    final = save_final(output_dir, model, tokenizer)
    progress.emit(
        "done", checkpoint=str(final), steps=total_steps,
        metrics={"first_loss": state.get("first_loss"), "last_loss": state.get("last_loss")},
    )


if __name__ == "__main__":
    main()
