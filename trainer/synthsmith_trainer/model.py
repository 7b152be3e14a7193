"""Load a pretrained model + tokenizer, or build the tiny preset's from a config: one code path for every preset."""

from __future__ import annotations

import logging
from typing import Optional

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase, Qwen2Config
from transformers import Qwen2ForCausalLM
from transformers.utils import logging as hf_logging

from .config import Preset
from .tokenizer import build_byte_tokenizer

logger = logging.getLogger(__name__)


def load_model_and_tokenizer(
    preset: Preset, source: Optional[str], device: torch.device, gradient_checkpointing: Optional[bool] = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """`source` is a checkpoint, an --init-from directory or a hub name; None builds a fresh model from the preset.

    Call after seeding: a fresh model's initial weights come from the torch RNG.
    """
    hf_logging.disable_progress_bar()  # tqdm bars on every save would drown the stderr tail the worker keeps
    if source is not None:
        logger.info("loading model and tokenizer from %s", source)
        tokenizer = AutoTokenizer.from_pretrained(source)
        # fp32 master weights; autocast provides bf16 compute on GPU (see runtime.autocast).
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    else:
        logger.info("building a fresh %s model from its config", preset.name)
        tokenizer = build_byte_tokenizer()
        config = Qwen2Config(
            vocab_size=len(tokenizer),
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
            bos_token_id=None,
            **preset.model_config,
        )
        model = Qwen2ForCausalLM(config)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # SFT leaves it to the Trainer (gradient_checkpointing=True in its args); GRPO's own loop turns it on here.
    if preset.gradient_checkpointing if gradient_checkpointing is None else gradient_checkpointing:
        # Renamed to activation_checkpointing_enable in transformers 5.x; the old name still works but warns.
        getattr(model, "activation_checkpointing_enable", model.gradient_checkpointing_enable)()
        model.config.use_cache = False
    logger.info("model has %.2fM parameters", sum(p.numel() for p in model.parameters()) / 1e6)
    return model.to(device), tokenizer
