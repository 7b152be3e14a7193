import json

import torch

from synthsmith_trainer.checkpoint import latest_checkpoint, remove_stale_temp_dirs
from synthsmith_trainer.grpo import completion_mask


def test_only_complete_checkpoints_are_resumed_from(tmp_path):
    for name in ["checkpoint-5", "checkpoint-20"]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "trainer_state.json").write_text(json.dumps({"step": int(name.split("-")[1])}))
    (tmp_path / "checkpoint-30").mkdir()  # no trainer_state.json: not a checkpoint
    (tmp_path / ".tmp-checkpoint-40-123").mkdir()  # killed mid-write
    assert latest_checkpoint(tmp_path) == tmp_path / "checkpoint-20"  # 20 > 5 numerically, not lexically
    remove_stale_temp_dirs(tmp_path)
    assert not (tmp_path / ".tmp-checkpoint-40-123").exists()
    assert latest_checkpoint(tmp_path / "missing") is None


def test_completion_mask_stops_after_first_eos():
    ids = torch.tensor([[5, 6, 2, 0, 0], [5, 6, 7, 8, 9], [2, 0, 0, 0, 0]])
    assert completion_mask(ids, eos_token_id=2).tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]]
