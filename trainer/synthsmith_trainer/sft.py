"""Supervised fine-tuning on SFT.jsonl (TRL chat records) with TRL's SFTTrainer, loss on assistant tokens only.

    python -m synthsmith_trainer.sft --dataset SFT.jsonl --output-dir out/sft --preset tiny --max-steps 150
    accelerate launch -m synthsmith_trainer.sft --dataset SFT.jsonl --output-dir out/sft --preset paper
    torchrun --nproc-per-node 8 -m synthsmith_trainer.sft ... --use-peft

Records are tokenized here (data.py) and handed to SFTTrainer as `input_ids` + `labels`, so the prompt the model
is trained on is byte-identical to the one GRPO samples from; TRL does the rest (packing, gradient checkpointing,
bf16, distributed, checkpoints, resume).
"""

from __future__ import annotations

from . import progress

progress.handle_sigterm()  # before the slow torch import, so an early cancel also exits with 143

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Optional  # noqa: E402

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import TrainerCallback  # noqa: E402
from trl import SFTConfig as TRLSFTConfig  # noqa: E402
from trl import SFTTrainer  # noqa: E402

from .checkpoint import STATE_FILE, latest_checkpoint, remove_incomplete_checkpoints, remove_stale_temp_dirs  # noqa: E402
from .checkpoint import save_final  # noqa: E402
from .config import add_common_args, apply_overrides, get_preset  # noqa: E402
from .data import load_sft_dataset  # noqa: E402
from .model import load_model_and_tokenizer  # noqa: E402
from .runtime import get_device, is_main_process, seed_everything, world_size  # noqa: E402

logger = logging.getLogger("synthsmith_trainer.sft")


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--batch-size", dest="per_device_batch_size", type=int, default=None, help="per device")
    parser.add_argument("--global-batch-size", dest="global_batch_size", type=int, default=None)
    parser.add_argument("--num-epochs", dest="num_epochs", type=float, default=None, help="used when no max steps")
    parser.add_argument("--max-seq-length", dest="max_seq_length", type=int, default=None)
    parser.add_argument("--packing", dest="packing", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--use-peft", dest="use_peft", action=argparse.BooleanOptionalAction, default=None,
                        help="train LoRA adapters (peft) instead of every weight")
    parser.add_argument("--lora-r", dest="lora_r", type=int, default=None)
    parser.add_argument("--lora-alpha", dest="lora_alpha", type=int, default=None)
    parser.add_argument("--lora-target-modules", dest="lora_target_modules", default=None)
    return parser.parse_args(argv)


class ProgressCallback(TrainerCallback):
    """Turns Trainer logs and saves into the progress protocol (README), on the main process only."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.metrics: dict[str, float] = {}
        self._last: Optional[tuple[float, float]] = None  # (time, tokens seen) at the previous log

    def on_log(self, args: Any, state: Any, control: Any, logs: Optional[dict[str, float]] = None, **kwargs: Any) -> None:
        if not logs or "loss" not in logs or not state.is_world_process_zero:
            return
        now, tokens = time.monotonic(), float(logs.get("num_tokens", 0.0))
        tokens_per_s = (tokens - self._last[1]) / max(now - self._last[0], 1e-9) if self._last else None
        self._last = (now, tokens)
        self.metrics["tokens"] = tokens
        loss = float(logs["loss"])
        self.metrics.setdefault("first_loss", loss)
        self.metrics["last_loss"] = loss
        event: dict[str, Any] = {"step": state.global_step, "loss": loss, "lr": float(logs.get("learning_rate", 0.0))}
        if tokens_per_s is not None:
            event["tokens_per_s"] = round(tokens_per_s, 1)
        progress.emit("step", **event)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:  # on_save runs once the checkpoint, trainer_state.json last, is complete
            progress.emit("checkpoint", step=state.global_step, path=str(self.output_dir / f"checkpoint-{state.global_step}"))


def main(argv: Optional[list[str]] = None) -> None:
    args = parse_args(argv)
    progress.setup()
    preset = get_preset(args.preset)
    cfg = apply_overrides(preset.sft, args)
    output_dir = Path(args.output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    if is_main_process():
        remove_stale_temp_dirs(output_dir)
        remove_incomplete_checkpoints(output_dir)

    seed_everything(args.seed)
    resume = latest_checkpoint(output_dir)
    resumed_state = json.loads((resume / STATE_FILE).read_text()) if resume else {}
    start_step = resumed_state.get("global_step", 0)
    # Weights come from `source`, then from the checkpoint when resuming (Trainer restores model, optimizer,
    # scheduler, RNG and data position).
    source = args.init_from or args.model_name_or_path or preset.model_name_or_path
    model, tokenizer = load_model_and_tokenizer(preset, source, torch.device("cpu"), gradient_checkpointing=False)
    examples = load_sft_dataset(args.dataset, tokenizer, cfg.max_seq_length)
    dataset = Dataset.from_dict({"input_ids": [e.input_ids for e in examples], "labels": [e.labels for e in examples]})

    per_step = cfg.per_device_batch_size * world_size()
    if cfg.global_batch_size % per_step:
        raise SystemExit(f"global batch {cfg.global_batch_size} is not a multiple of {cfg.per_device_batch_size} x "
                         f"{world_size()} processes")
    total_steps = cfg.max_steps or math.ceil(cfg.num_epochs * len(examples) / cfg.global_batch_size)
    use_bf16 = get_device().type == "cuda" and torch.cuda.is_bf16_supported()
    peft_config = None
    if cfg.use_peft:
        from peft import LoraConfig

        peft_config = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                 target_modules=cfg.lora_target_modules, task_type="CAUSAL_LM")
    training_args = TRLSFTConfig(
        output_dir=str(output_dir),
        max_steps=total_steps,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_ratio,  # a float < 1 is a ratio of total steps (transformers 5)
        weight_decay=cfg.weight_decay,
        max_grad_norm=cfg.max_grad_norm,
        per_device_train_batch_size=cfg.per_device_batch_size,
        gradient_accumulation_steps=cfg.global_batch_size // per_step,
        max_length=cfg.max_seq_length,
        packing=cfg.packing,
        padding_free=cfg.packing,
        bf16=use_bf16,
        gradient_checkpointing=preset.gradient_checkpointing,
        logging_steps=1,
        save_strategy="steps",
        save_steps=cfg.save_every,
        save_total_limit=cfg.save_total_limit,
        seed=args.seed,
        data_seed=args.seed,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    callback = ProgressCallback(output_dir)
    # "first_loss" means step 1 of the whole run, also after a resume: Trainer keeps every log in its state.
    first_logged = [entry["loss"] for entry in resumed_state.get("log_history", []) if "loss" in entry]
    if first_logged:
        callback.metrics["first_loss"] = float(first_logged[0])
    trainer = SFTTrainer(model=model, args=training_args, train_dataset=dataset, processing_class=tokenizer,
                         peft_config=peft_config, callbacks=[callback])
    logger.info("%d examples, global batch %d, %d steps, %d process(es), bf16=%s, packing=%s, peft=%s",
                len(examples), cfg.global_batch_size, total_steps, world_size(), use_bf16, cfg.packing, cfg.use_peft)
    if is_main_process():
        progress.emit("start", kind="sft", total_steps=total_steps, resumed_from_step=start_step)
    started = time.monotonic()
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)

    if trainer.is_world_process_zero():
        final_model = trainer.model.merge_and_unload() if cfg.use_peft else trainer.model
        final = save_final(output_dir, final_model, tokenizer)
        progress.emit("done", checkpoint=str(final), steps=trainer.state.global_step,
                      metrics={**callback.metrics, "train_seconds": round(time.monotonic() - started, 2)})


if __name__ == "__main__":
    main()
