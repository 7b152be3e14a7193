#!/usr/bin/env bash
# GRPO at cluster scale with verl (FSDP actor, vLLM rollout) on Ray, the paper's recipe (paper §8), with the
# reward computed by SynthSmith's judge (reward.py). verl is not a dependency of this repo: run this inside
# verl's container, from the repo root, with `node_modules` installed (the judge) and bubblewrap present.
#
#   python trainer/verl/prepare_data.py --dataset .data/runs/<run>/dataset/rl.jsonl --output-dir data/verl
#   MODEL=/ckpt/sft-final NNODES=4 bash trainer/verl/run_grpo.sh   # on the Ray head node
set -euo pipefail
MODEL=${MODEL:?path of the SFT checkpoint}
DATA=${DATA:-data/verl}
NNODES=${NNODES:-1}
GPUS=${GPUS_PER_NODE:-8}

python3 -m verl.trainer.main_ppo \
  algorithm.adv_estimator=grpo \
  algorithm.use_kl_in_reward=False \
  data.train_files="$DATA/train.parquet" \
  data.val_files="$DATA/val.parquet" \
  data.train_batch_size=128 \
  data.max_prompt_length=2500 \
  data.max_response_length=30196 \
  data.filter_overlong_prompts=True \
  actor_rollout_ref.model.path="$MODEL" \
  actor_rollout_ref.model.enable_gradient_checkpointing=True \
  actor_rollout_ref.actor.optim.lr=4e-7 \
  actor_rollout_ref.actor.ppo_mini_batch_size=128 \
  actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=1 \
  actor_rollout_ref.actor.use_kl_loss=False \
  actor_rollout_ref.actor.clip_ratio_low=0.2 \
  actor_rollout_ref.actor.clip_ratio_high=0.28 \
  actor_rollout_ref.actor.loss_agg_mode=token-mean \
  actor_rollout_ref.actor.fsdp_config.param_offload=False \
  actor_rollout_ref.rollout.name=vllm \
  actor_rollout_ref.rollout.n=8 \
  actor_rollout_ref.rollout.temperature=1.0 \
  actor_rollout_ref.rollout.top_p=1.0 \
  actor_rollout_ref.rollout.top_k=-1 \
  actor_rollout_ref.rollout.max_num_batched_tokens=32768 \
  actor_rollout_ref.rollout.gpu_memory_utilization=0.7 \
  reward_model.reward_manager=naive \
  custom_reward_function.path=trainer/verl/reward.py \
  custom_reward_function.name=compute_score \
  trainer.nnodes="$NNODES" \
  trainer.n_gpus_per_node="$GPUS" \
  trainer.total_epochs=3 \
  trainer.save_freq=10 \
  trainer.test_freq=10 \
  trainer.logger='[console]' \
  trainer.project_name=synthsmith \
  trainer.experiment_name="${EXPERIMENT:-grpo}" \
  "$@"
