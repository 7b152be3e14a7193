"""GRPO on RL.jsonl with the paper's recipe: G sampled rollouts per prompt, rewards from running the code against the
task's tests, group-normalised advantages, clip-higher surrogate (0.2 / 0.28), no KL term.

    python -m synthsmith_trainer.grpo --dataset RL.jsonl --output-dir out/grpo --init-from out/sft/final \
        --judge-cmd "node_modules/.bin/tsx workers/judge-cli.ts" --judge-cwd /path/to/repo
"""

from __future__ import annotations

from . import progress

progress.handle_sigterm()  # before the slow torch import, so an early cancel also exits with 143

import argparse  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import torch  # noqa: E402
from transformers import PreTrainedModel, PreTrainedTokenizerBase  # noqa: E402

from .checkpoint import latest_checkpoint, load_checkpoint_state, remove_stale_temp_dirs, save_checkpoint  # noqa: E402
from .checkpoint import save_final  # noqa: E402
from .config import GRPOConfig, add_common_args, apply_overrides, get_preset  # noqa: E402
from .data import RLTask, example_indices, load_rl_dataset  # noqa: E402
from .judge import run_judge  # noqa: E402
from .model import load_model_and_tokenizer  # noqa: E402
from .reward import completion_reward, judgeable_code, sample_tests  # noqa: E402
from .runtime import autocast, build_optimizer_and_scheduler, get_device, seed_everything  # noqa: E402
from .tokenizer import render_prompt  # noqa: E402

logger = logging.getLogger("synthsmith_trainer.grpo")


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--judge-cmd", required=True, help="command line of the judge; JSON on stdin and stdout")
    parser.add_argument("--judge-cwd", default=None, help="working directory for the judge command")
    parser.add_argument("--judge-timeout", dest="judge_timeout_s", type=float, default=None, help="seconds per call")
    parser.add_argument("--num-generations", dest="num_generations", type=int, default=None, help="G, >= 2")
    parser.add_argument("--prompts-per-step", dest="prompts_per_step", type=int, default=None)
    parser.add_argument("--micro-batch-size", dest="micro_batch_size", type=int, default=None)
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--max-new-tokens", dest="max_new_tokens", type=int, default=None)
    parser.add_argument("--max-tests", dest="max_tests", type=int, default=None)
    parser.add_argument("--epsilon-low", dest="epsilon_low", type=float, default=None)
    parser.add_argument("--epsilon-high", dest="epsilon_high", type=float, default=None)
    parser.add_argument("--judge-workers", dest="judge_workers", type=int, default=None,
                        help="judge calls in flight while generation goes on")
    args = parser.parse_args(argv)
    if args.num_generations is not None and args.num_generations < 2:
        parser.error("--num-generations must be >= 2: advantages are normalised within a group")
    return args


def completion_mask(completion_ids: torch.Tensor, eos_token_id: int) -> torch.Tensor:
    """1 up to and including the first EOS of each row, 0 after it (generate pads finished rows)."""
    is_eos = completion_ids == eos_token_id
    first_eos = torch.where(is_eos.any(dim=1), is_eos.int().argmax(dim=1), completion_ids.size(1))
    positions = torch.arange(completion_ids.size(1), device=completion_ids.device)
    return (positions[None, :] <= first_eos[:, None]).long()


def score_group(task: RLTask, texts: list[str], cfg: GRPOConfig, args: argparse.Namespace,
                tag: str) -> tuple[list[float], list[bool]]:
    """Rewards and all-tests-passed flags of one prompt's G completions.

    Completions without parseable code get the format penalty without being run; the rest go to the judge in one
    call, since the judge takes one set of tests (and one checker) per call.
    """
    tests = sample_tests(task.tests, cfg.max_tests, args.seed, task.task_id)
    codes = {f"{tag}-g{g}": judgeable_code(text) for g, text in enumerate(texts)}
    solutions = [{"id": sid, "code": code} for sid, code in codes.items() if code is not None]
    verdicts = run_judge(args.judge_cmd, solutions, tests, cwd=args.judge_cwd, timeout_s=cfg.judge_timeout_s,
                         fn_name=task.fn_name if task.io_mode == "function" else None, checker=task.checker)
    rewards, solved = [], []
    for sid, text in zip(codes, texts):
        v = verdicts.get(sid)
        rewards.append(completion_reward(text, v.passed if v else None, v.total if v else None))
        solved.append(v is not None and v.total > 0 and v.passed == v.total)
    return rewards, solved


def token_logps(model: PreTrainedModel, input_ids: torch.Tensor, attention_mask: torch.Tensor, prompt_len: int,
                temperature: float) -> torch.Tensor:
    """Log-probabilities of the completion tokens under the sampling distribution (logits / temperature)."""
    # Same positions as generate() used for left-padded prompts: count only attended tokens.
    position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
    logits = model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids).logits
    logits = logits[:, prompt_len - 1:-1]
    targets = input_ids[:, prompt_len:]
    # One row at a time in fp32: a full fp32 log_softmax over a 150k vocabulary and long completions would be the
    # largest tensor of the step.
    rows = []
    for row_logits, row_targets in zip(logits, targets):
        row_logits = row_logits.float() / temperature
        rows.append(row_logits.gather(-1, row_targets[:, None]).squeeze(-1) - torch.logsumexp(row_logits, dim=-1))
    return torch.stack(rows)


@dataclass
class Rollout:
    sequences: torch.Tensor  # prompt + completion ids, G rows
    attention_mask: torch.Tensor
    completion_mask: torch.Tensor
    prompt_len: int


def generate_group(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, task: RLTask, cfg: GRPOConfig,
                   device: torch.device) -> tuple[Rollout, list[str]]:
    """G sampled completions of one prompt."""
    enc = tokenizer([render_prompt(tokenizer, task.prompt)], add_special_tokens=False, return_tensors="pt").to(device)
    prompt_ids = enc["input_ids"].repeat(cfg.num_generations, 1)
    prompt_mask = enc["attention_mask"].repeat(cfg.num_generations, 1)
    with torch.no_grad(), autocast(device):
        sequences = model.generate(
            input_ids=prompt_ids, attention_mask=prompt_mask, do_sample=True, temperature=cfg.temperature,
            top_p=1.0, top_k=0, max_new_tokens=cfg.max_new_tokens, use_cache=True,
            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        )
    prompt_len = prompt_ids.size(1)
    completion_ids = sequences[:, prompt_len:]
    mask = completion_mask(completion_ids, tokenizer.eos_token_id)
    texts = tokenizer.batch_decode(completion_ids * mask + tokenizer.pad_token_id * (1 - mask), skip_special_tokens=True)
    return Rollout(sequences, torch.cat([prompt_mask, mask], dim=1), mask, prompt_len), texts


def grpo_step(model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, tasks: list[RLTask], cfg: GRPOConfig,
              args: argparse.Namespace, step: int, device: torch.device, judges: ThreadPoolExecutor) -> dict[str, float]:
    """Roll out, score, and accumulate the gradient of the clipped surrogate; returns metrics (optimizer not stepped).

    Rewards are computed while the GPU keeps generating: each prompt's group goes to the judge (a thread waiting on
    the judge process, so the GIL is free) as soon as it is sampled, and the next prompt's generation starts at
    once. The GPU only waits for the last group's judge (`reward_wait_s`). This stays on-policy: every rollout of
    the step comes from the same weights.
    """
    started = time.monotonic()
    model.eval()
    rollouts, pending = [], []
    for t, task in enumerate(tasks):
        rollout, texts = generate_group(model, tokenizer, task, cfg, device)
        rollouts.append(rollout)
        pending.append(judges.submit(score_group, task, texts, cfg, args, f"s{step}-p{t}"))
    generated = time.monotonic()
    scored = [future.result() for future in pending]
    judged = time.monotonic()
    rewards = torch.tensor([r for group, _ in scored for r in group])
    solved = torch.tensor([float(x) for _, group in scored for x in group])

    G = cfg.num_generations
    grouped = rewards.view(-1, G)
    # Group-relative advantage. A group with equal rewards gets advantage 0 and so contributes no gradient:
    # that is GRPO working as intended (nothing to prefer), not an error.
    advantages = ((grouped - grouped.mean(dim=1, keepdim=True)) / (grouped.std(dim=1, keepdim=True) + 1e-4))
    advantages = advantages.to(device)

    model.train()
    n_tokens = sum(int(r.completion_mask.sum()) for r in rollouts) or 1
    total_loss = 0.0
    for g, rollout in enumerate(rollouts):
        for i in range(0, G, cfg.micro_batch_size):
            rows = slice(i, i + cfg.micro_batch_size)
            with autocast(device):
                logps = token_logps(model, rollout.sequences[rows], rollout.attention_mask[rows], rollout.prompt_len,
                                    cfg.temperature)
            # One optimizer step per batch means the sampling policy is the current one: old_logps equals logps in
            # value, the ratio is 1 and only its gradient matters. The clipped form is kept so that reusing
            # rollouts for several updates later is a change of old_logps only.
            old_logps = logps.detach()
            ratio = torch.exp(logps - old_logps)
            adv = advantages[g, rows, None]
            clipped = torch.clamp(ratio, 1 - cfg.epsilon_low, 1 + cfg.epsilon_high)
            per_token = -torch.min(ratio * adv, clipped * adv)
            # Token-level normalisation over the whole batch (DAPO), so long completions are not down-weighted.
            loss = (per_token * rollout.completion_mask[rows]).sum() / n_tokens
            loss.backward()
            total_loss += loss.item()
    elapsed = time.monotonic() - started
    return {
        "loss": total_loss,
        "reward_mean": rewards.mean().item(),
        "reward_max": rewards.max().item(),
        "pass_rate": solved.mean().item(),
        "completion_tokens_mean": n_tokens / rewards.numel(),
        "tokens_per_s": n_tokens / max(elapsed, 1e-9),
        "generate_s": generated - started,
        "reward_wait_s": judged - generated,
    }


def main(argv: Optional[list[str]] = None) -> None:
    args = parse_args(argv)
    progress.setup()
    preset = get_preset(args.preset)
    cfg = apply_overrides(preset.grpo, args)
    output_dir = Path(args.output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(output_dir)

    seed_everything(args.seed)
    device = get_device()
    resume = latest_checkpoint(output_dir)
    source = str(resume) if resume else (args.init_from or args.model_name_or_path or preset.model_name_or_path)
    if source is None:
        raise SystemExit("grpo needs --init-from (an SFT final/ directory) or a preset with a base model")
    model, tokenizer = load_model_and_tokenizer(preset, source, device)
    tasks = load_rl_dataset(args.dataset)

    total_steps = cfg.max_steps
    optimizer, scheduler = build_optimizer_and_scheduler(
        model, learning_rate=cfg.learning_rate, weight_decay=cfg.weight_decay, lr_scheduler=cfg.lr_scheduler,
        warmup_ratio=cfg.warmup_ratio, total_steps=total_steps,
    )
    state: dict = {"kind": "grpo", "preset": preset.name, "seed": args.seed, "total_steps": total_steps}
    start_step = 0
    if resume:
        state = {**load_checkpoint_state(resume, optimizer, scheduler), "total_steps": total_steps}
        if state.get("kind") != "grpo":
            raise SystemExit(f"{resume} is a {state.get('kind')} checkpoint; use a fresh --output-dir for grpo")
        start_step = state["step"]
        logger.info("resuming from %s", resume)
    logger.info("%d tasks, %d prompts x %d rollouts per step, %d steps on %s",
                len(tasks), cfg.prompts_per_step, cfg.num_generations, total_steps, device)
    progress.emit("start", kind="grpo", total_steps=total_steps, resumed_from_step=start_step)

    judges = ThreadPoolExecutor(max_workers=cfg.judge_workers, thread_name_prefix="judge")
    for step in range(start_step + 1, total_steps + 1):
        batch = [tasks[i] for i in example_indices(len(tasks), args.seed, (step - 1) * cfg.prompts_per_step,
                                                     cfg.prompts_per_step)]
        optimizer.zero_grad(set_to_none=True)
        metrics = grpo_step(model, tokenizer, batch, cfg, args, step, device, judges)
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.max_grad_norm)
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()

        state.setdefault("first_reward_mean", metrics["reward_mean"])
        state["last_reward_mean"] = metrics["reward_mean"]
        # Best single completion seen: shows whether any rollout earned reward from the judge at all.
        state["reward_max"] = max(state.get("reward_max", float("-inf")), metrics["reward_max"])
        logger.info("step %d: %s", step, metrics)
        progress.emit("step", step=step, loss=metrics["loss"], lr=lr, reward_mean=metrics["reward_mean"],
                      reward_max=metrics["reward_max"], pass_rate=metrics["pass_rate"],
                      tokens_per_s=round(metrics["tokens_per_s"], 1), reward_wait_s=round(metrics["reward_wait_s"], 3))
        if step % cfg.save_every == 0 or step == total_steps:
            path = save_checkpoint(output_dir, step, model, tokenizer, optimizer, scheduler, state, cfg.save_total_limit)
            progress.emit("checkpoint", step=step, path=str(path))

    final = save_final(output_dir, model, tokenizer)
    progress.emit(
        "done", checkpoint=str(final), steps=total_steps,
        metrics={key: state.get(key) for key in ("first_reward_mean", "last_reward_mean", "reward_max")},
    )


if __name__ == "__main__":
    main()
