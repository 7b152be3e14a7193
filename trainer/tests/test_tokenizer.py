import json

from synthsmith_trainer.data import IGNORE_INDEX, encode_sft, example_indices
from synthsmith_trainer.tokenizer import IM_END, build_byte_tokenizer, render_prompt, split_prompt_completion

from .conftest import SFT_DATA


def test_byte_tokenizer_round_trip():
    tok = build_byte_tokenizer()
    text = "naïve café → ∑ 🚀\n\t```python\nprint('hi')\n```"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert len(ids) == len(text.encode("utf-8"))  # one token per byte
    assert tok.decode(ids) == text
    assert len(tok) == 259 and tok.eos_token == IM_END and tok.pad_token_id != tok.eos_token_id


def test_specials_are_single_tokens_and_survive_save(tmp_path):
    from transformers import AutoTokenizer

    tok = build_byte_tokenizer()
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    prompt = render_prompt(loaded, "hi")
    assert prompt == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    assert loaded(prompt, add_special_tokens=False)["input_ids"] == tok(prompt, add_special_tokens=False)["input_ids"]
    assert loaded("<|im_end|>", add_special_tokens=False)["input_ids"] == [tok.eos_token_id]


def test_sft_prompt_matches_grpo_prompt_and_labels_cover_only_the_answer():
    tok = build_byte_tokenizer()
    messages = json.loads(SFT_DATA.read_text().splitlines()[0])["messages"]
    prompt, completion = split_prompt_completion(tok, messages)
    assert prompt == render_prompt(tok, messages[0]["content"])  # SFT and GRPO see the same prompt text
    assert completion == messages[1]["content"] + IM_END + "\n"
    example = encode_sft(tok, messages, max_length=4096)
    n_prompt = sum(label == IGNORE_INDEX for label in example.labels)
    assert example.labels[:n_prompt] == [IGNORE_INDEX] * n_prompt
    assert tok.decode(example.labels[n_prompt:]) == completion
    assert tok.decode(example.input_ids) == prompt + completion


def test_example_order_is_a_pure_function_of_position():
    stream = example_indices(5, seed=3, start=0, count=15)
    assert sorted(stream[:5]) == sorted(stream[5:10]) == list(range(5))  # every epoch is a permutation
    assert example_indices(5, seed=3, start=7, count=4) == stream[7:11]  # resuming mid-stream sees the same order
