"""Plain TRL baselines for bench/gpu-check.sh: SFTTrainer and GRPOTrainer straight from TRL's examples, on the
same gpu-bench model shape and tiny data, no SynthSmith code except building the random model and tokenizer and
(for GRPO) the reward. Prints one JSON line: tokens/s."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config, Qwen2ForCausalLM, TrainerCallback
from trl import GRPOConfig, GRPOTrainer, SFTConfig, SFTTrainer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trainer"))
from synthsmith_trainer.config import get_preset  # noqa: E402
from synthsmith_trainer.judge import run_judge  # noqa: E402
from synthsmith_trainer.reward import completion_reward, judgeable_code  # noqa: E402
from synthsmith_trainer.tokenizer import build_byte_tokenizer  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "trainer" / "tests" / "data"
PRESET = get_preset(os.environ.get("SYNTHSMITH_BENCH_PRESET", "gpu-bench"))  # "tiny": a CPU dry run of this script
STEPS = int(os.environ.get("SYNTHSMITH_BENCH_STEPS", "0")) or None
CUDA = torch.cuda.is_available()


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sft(out: str) -> dict:
    tok = build_byte_tokenizer()
    model = Qwen2ForCausalLM(Qwen2Config(vocab_size=len(tok), pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
                                         **PRESET.model_config))
    ds = Dataset.from_list([{"messages": r["messages"]} for r in rows(DATA / "sft_tiny.jsonl")])
    steps = STEPS or 30
    cfg = SFTConfig(output_dir=out, max_steps=steps, per_device_train_batch_size=PRESET.sft.per_device_batch_size,
                    learning_rate=1e-4, bf16=CUDA, gradient_checkpointing=PRESET.gradient_checkpointing, max_length=4096,
                    logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True)
    seen: dict[str, float] = {}

    class Tokens(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):  # type: ignore[no-untyped-def]
            seen["tokens"] = float((logs or {}).get("num_tokens", seen.get("tokens", 0.0)))

    trainer = SFTTrainer(model=model, args=cfg, train_dataset=ds, processing_class=tok, callbacks=[Tokens()])
    t = time.monotonic()
    trainer.train()
    secs = time.monotonic() - t
    tokens = seen.get("tokens")
    return {"steps": steps, "seconds": round(secs, 1), "tokens_per_s": round(tokens / secs, 1) if tokens else None}


def grpo(out: str, init_from: str, judge: str) -> dict:
    tok = AutoTokenizer.from_pretrained(init_from)
    model = AutoModelForCausalLM.from_pretrained(init_from, dtype=torch.float32)
    tasks = {r["prompt"]: r for r in rows(DATA / "rl_tiny.jsonl")}
    generated = {"tokens": 0}

    def reward(prompts: list, completions: list, completion_ids: list, **kwargs) -> list[float]:
        generated["tokens"] += sum(len(c) for c in completion_ids)
        scores = []
        for prompt, completion in zip(prompts, completions):
            text = completion[0]["content"] if isinstance(completion, list) else completion
            task = tasks[prompt[0]["content"] if isinstance(prompt, list) else prompt]
            code = judgeable_code(text)
            if code is None:
                scores.append(completion_reward(text))
                continue
            v = run_judge(judge, [{"id": "s", "code": code}], task["tests"][:10], cwd=str(REPO), timeout_s=600)["s"]
            scores.append(completion_reward(text, v.passed, v.total))
        return scores

    ds = Dataset.from_list([{"prompt": [{"role": "user", "content": p}]} for p in tasks])
    g = PRESET.grpo
    steps = STEPS or g.max_steps
    cfg = GRPOConfig(output_dir=out, max_steps=steps, per_device_train_batch_size=g.prompts_per_step * g.num_generations,
                     num_generations=g.num_generations, max_completion_length=g.max_new_tokens, temperature=1.0,
                     learning_rate=1e-6, beta=0.0, epsilon=0.2, epsilon_high=0.28, loss_type="dapo", bf16=CUDA,
                     gradient_checkpointing=PRESET.gradient_checkpointing, logging_steps=1,
                     save_strategy="no", report_to="none", disable_tqdm=True)
    trainer = GRPOTrainer(model=model, reward_funcs=reward, args=cfg, train_dataset=ds, processing_class=tok)
    t = time.monotonic()
    trainer.train()
    secs = time.monotonic() - t
    return {"steps": steps, "seconds": round(secs, 1), "tokens_per_s": round(generated["tokens"] / secs, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["sft", "grpo"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--init-from")
    parser.add_argument("--judge", default=f"{REPO / 'node_modules/.bin/tsx'} {REPO / 'workers/judge-cli.ts'}")
    a = parser.parse_args()
    print(json.dumps(sft(a.out) if a.kind == "sft" else grpo(a.out, a.init_from, a.judge)))
