"""Presets: every default the trainer uses lives here, so a run is fully described by (preset, CLI overrides)."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class SFTConfig:
    learning_rate: float
    lr_scheduler: str = "cosine"  # any name accepted by transformers.get_scheduler
    warmup_ratio: float = 0.03
    per_device_batch_size: int = 1
    # Sequences per optimizer step over all processes; gradient accumulation = global / (per_device * WORLD_SIZE),
    # so the same preset gives the same recipe on 1 GPU or under torchrun/accelerate on 64.
    global_batch_size: int = 1
    num_epochs: float = 1.0
    max_steps: Optional[int] = None  # None: derived from num_epochs and the dataset size
    max_seq_length: int = 2048
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    save_every: int = 500
    save_total_limit: int = 2
    packing: bool = False  # pack short examples into max_seq_length rows (TRL "bfd", padding-free)
    use_peft: bool = False  # LoRA adapters instead of a full fine-tune; final/ holds the merged model
    lora_r: int = 64
    lora_alpha: int = 128
    lora_dropout: float = 0.05
    lora_target_modules: str = "all-linear"


@dataclass(frozen=True)
class GRPOConfig:
    learning_rate: float
    lr_scheduler: str = "constant"
    warmup_ratio: float = 0.0
    num_generations: int = 8  # G: rollouts per prompt, the group the advantage is normalised over
    prompts_per_step: int = 1  # prompts per optimizer step; the step uses prompts_per_step * G completions
    micro_batch_size: int = 8  # completions per forward/backward in the loss pass (memory knob only)
    temperature: float = 1.0
    max_new_tokens: int = 1024
    epsilon_low: float = 0.2  # clip-higher (DAPO): the ratio may rise to 1 + epsilon_high ...
    epsilon_high: float = 0.28  # ... but only fall to 1 - epsilon_low
    max_tests: int = 10
    max_steps: int = 100
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    save_every: int = 50
    save_total_limit: int = 2
    judge_timeout_s: float = 600.0
    judge_workers: int = 4  # prompts whose rewards are being computed while the next prompt is generated


@dataclass(frozen=True)
class Preset:
    name: str
    # A local path or hub name loaded with from_pretrained; None builds a fresh model from `model_config`
    # with the byte-level tokenizer from tokenizer.py.
    model_name_or_path: Optional[str]
    model_config: dict[str, Any] = field(default_factory=dict)  # Qwen2Config kwargs (ignored when loading a path)
    gradient_checkpointing: bool = False
    sft: SFTConfig = SFTConfig(learning_rate=5e-5)
    grpo: GRPOConfig = GRPOConfig(learning_rate=4e-7)


PRESETS: dict[str, Preset] = {
    # A 2-layer Qwen2-shaped model (0.33M parameters) that runs the whole pipeline on a laptop CPU in seconds.
    # The learning rates are far above the paper's because the model is tiny and trained from scratch.
    "tiny": Preset(
        name="tiny",
        model_name_or_path=None,
        model_config=dict(
            hidden_size=128,
            intermediate_size=256,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=4096,
            rope_theta=10000.0,
            tie_word_embeddings=True,
        ),
        sft=SFTConfig(
            learning_rate=3e-3,
            warmup_ratio=0.03,
            per_device_batch_size=2,
            global_batch_size=2,
            max_steps=150,  # memorises two ~800-character records (loss 5.5 -> 0.012) in ~10 s on 2 CPU cores
            # Prompts hold a whole statement (~2k byte-tokens) before the answer; shorter would cut the code off.
            max_seq_length=4096,
            save_every=50,
        ),
        grpo=GRPOConfig(
            learning_rate=1e-4,
            num_generations=4,
            prompts_per_step=1,
            micro_batch_size=8,
            max_new_tokens=1024,  # answers (reasoning + code) run to ~750 byte-tokens; shorter cuts off the code block
            max_steps=10,
            save_every=5,
        ),
    ),
    # bench/gpu-check.sh: a ~1.2B-parameter Qwen2 shape built from its config (random weights, byte tokenizer, nothing
    # downloaded) that fills a good part of one H100 with AdamW state, on the tiny data.
    "gpu-bench": Preset(
        name="gpu-bench",
        model_name_or_path=None,
        model_config=dict(
            hidden_size=2048, intermediate_size=5504, num_hidden_layers=22, num_attention_heads=16,
            num_key_value_heads=8, max_position_embeddings=8192, rope_theta=10000.0, tie_word_embeddings=True,
        ),
        gradient_checkpointing=True,
        sft=SFTConfig(learning_rate=1e-4, per_device_batch_size=8, global_batch_size=8, max_steps=30,
                      max_seq_length=4096, save_every=1000),
        grpo=GRPOConfig(learning_rate=1e-6, num_generations=8, prompts_per_step=2, micro_batch_size=8,
                        max_new_tokens=512, max_steps=3, save_every=1000),
    ),
    # The paper's recipe for real hardware, through the same code path. A 7B full fine-tune with a 32k context needs
    # several GPUs (accelerate launch with FSDP or DeepSpeed ZeRO-3, see README); --use-peft fits one.
    "paper": Preset(
        name="paper",
        model_name_or_path="Qwen/Qwen2.5-Coder-7B-Instruct",  # or a local copy via --model-name-or-path
        gradient_checkpointing=True,
        sft=SFTConfig(
            learning_rate=5e-5,
            lr_scheduler="cosine",
            warmup_ratio=0.03,
            per_device_batch_size=1,
            global_batch_size=128,  # 8 nodes x 8 GPUs x 1 x grad-accum 2 in the paper; any world size here
            num_epochs=8,
            max_steps=None,
            max_seq_length=32768,
            weight_decay=0.1,
            save_every=200,
            packing=True,
        ),
        grpo=GRPOConfig(
            learning_rate=4e-7,
            lr_scheduler="constant",
            num_generations=8,
            prompts_per_step=16,  # not fixed by the brief: 16 prompts x 8 rollouts = 128 completions per step
            micro_batch_size=4,
            temperature=1.0,
            max_new_tokens=16384,  # not fixed by the brief; prompt + completion stay inside the 32k context
            epsilon_low=0.2,
            epsilon_high=0.28,
            max_steps=500,
            save_every=25,
        ),
    ),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise SystemExit(f"unknown preset {name!r}; choose from {sorted(PRESETS)}") from None


def apply_overrides(cfg: Any, args: argparse.Namespace) -> Any:
    """Return `cfg` with every field that has a non-None CLI value of the same name replaced."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(cfg) if getattr(args, f.name, None) is not None}
    return dataclasses.replace(cfg, **values)


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Flags shared by sft and grpo. Flags left unset fall back to the preset."""
    parser.add_argument("--dataset", required=True, help="JSONL file produced by the TypeScript side")
    parser.add_argument("--output-dir", required=True, help="checkpoint-<step>/ and final/ go here; resumes if present")
    parser.add_argument("--init-from", default=None, help="model directory to start from (e.g. a previous final/)")
    parser.add_argument("--model-name-or-path", default=None, help="override the preset's base model")
    parser.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", dest="max_steps", type=int, default=None)
    parser.add_argument("--learning-rate", dest="learning_rate", type=float, default=None)
    parser.add_argument("--warmup-ratio", dest="warmup_ratio", type=float, default=None)
    parser.add_argument("--save-every", dest="save_every", type=int, default=None)
    parser.add_argument("--save-total-limit", dest="save_total_limit", type=int, default=None)
