from .conftest import SFT_ARGS, run_cli


def test_sft_memorises_two_records(sft_run):
    run, out = sft_run
    start, done = run.of("start")[0], run.of("done")[0]
    assert start == {"event": "start", "kind": "sft", "total_steps": 150, "resumed_from_step": 0}
    steps = run.of("step")
    assert [s["step"] for s in steps] == list(range(1, 151))
    assert set(steps[0]) == {"event", "step", "loss", "lr"}  # tokens/s needs two logs to measure
    assert all(set(s) == {"event", "step", "loss", "lr", "tokens_per_s"} and s["tokens_per_s"] > 0 for s in steps[1:])
    assert [c["step"] for c in run.of("checkpoint")] == [50, 100, 150]
    first, last = done["metrics"]["first_loss"], done["metrics"]["last_loss"]
    assert first > 5.0 and last < 0.05 and first / last > 100, (first, last)
    assert done["checkpoint"] == str(out / "final") and (out / "final" / "config.json").is_file()
    assert done["steps"] == 150 and done["metrics"]["train_seconds"] > 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["checkpoint-100", "checkpoint-150", "final"]  # keeps 2


def test_sigterm_then_resume_continues_deterministically(sft_run, tmp_path):
    reference, _ = sft_run
    killed = run_cli("sft", *SFT_ARGS, "--output-dir", str(tmp_path), sigterm_on="checkpoint")
    assert killed.returncode == 143
    assert [c["step"] for c in killed.of("checkpoint")] == [50]  # nothing new was saved after SIGTERM
    assert not (tmp_path / "final").exists()

    resumed = run_cli("sft", *SFT_ARGS, "--output-dir", str(tmp_path))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.of("start")[0]["resumed_from_step"] == 50
    assert resumed.of("step")[0]["step"] == 51
    # Same seed, same data order, restored optimizer/scheduler/RNG: the same numbers as the uninterrupted run on CPU.
    same = ("step", "loss", "lr")
    assert [{k: s[k] for k in same} for s in resumed.of("step")] == [{k: s[k] for k in same} for s in reference.of("step")[50:]]
    metrics = ("first_loss", "last_loss")
    assert {k: resumed.of("done")[0]["metrics"][k] for k in metrics} == {k: reference.of("done")[0]["metrics"][k] for k in metrics}


def test_sigterm_during_startup_exits_143(tmp_path):
    run = run_cli("sft", *SFT_ARGS, "--output-dir", str(tmp_path), sigterm_on="startup")
    assert run.returncode == 143 and run.events == []
