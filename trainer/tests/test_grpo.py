from .conftest import FAKE_JUDGE_CMD, RL_DATA, TRAINER_ROOT, run_cli


def test_grpo_steps_with_fake_judge(sft_run, tmp_path):
    _, sft_out = sft_run
    run = run_cli(
        "grpo", "--dataset", str(RL_DATA), "--output-dir", str(tmp_path), "--init-from", str(sft_out / "final"),
        "--preset", "tiny", "--max-steps", "2", "--num-generations", "4", "--temperature", "1.0",
        "--max-new-tokens", "400", "--judge-cmd", FAKE_JUDGE_CMD, "--judge-cwd", str(TRAINER_ROOT),
        "--max-tests", "10", "--seed", "0", "--save-every", "1", "--prompts-per-step", "2",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.of("start")[0] == {"event": "start", "kind": "grpo", "total_steps": 2, "resumed_from_step": 0}
    steps = run.of("step")
    assert [s["step"] for s in steps] == [1, 2]
    for s in steps:
        assert set(s) == {"event", "step", "loss", "lr", "reward_mean", "reward_max", "pass_rate", "tokens_per_s",
                          "reward_wait_s"}
        assert s["tokens_per_s"] > 0 and s["reward_wait_s"] >= 0
        assert -2.0 <= s["reward_mean"] <= s["reward_max"] <= 5.0 and 0.0 <= s["pass_rate"] <= 1.0
    assert [c["step"] for c in run.of("checkpoint")] == [1, 2]
    done = run.of("done")[0]
    assert done["steps"] == 2 and (tmp_path / "final" / "model.safetensors").is_file()
    assert set(done["metrics"]) == {"first_reward_mean", "last_reward_mean", "reward_max"}
