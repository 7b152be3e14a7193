"""The tiny preset's tokenizer and the one chat format that SFT targets and GRPO prompts are both rendered with.

The format is ChatML, the format of Qwen2.5(-Coder)-Instruct, so the tiny preset and the paper's model see the same
prompt layout; a pretrained model brings its own chat template and everything below goes through
`apply_chat_template`, so SFT and GRPO can never disagree on how a prompt looks.
"""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

PAD_TOKEN = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"  # end of a turn; it is also EOS, so generation stops when the assistant turn ends
SPECIAL_TOKENS = [PAD_TOKEN, IM_START, IM_END]

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{%- endif %}"
)


def build_byte_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level tokenizer with no merges: 256 byte tokens + 3 specials, built offline, lossless for any UTF-8.

    Without merges every byte is one token, so sequences are ~4x longer than with a trained BPE, which is fine for a
    model whose only job is to exercise the pipeline. Nothing depends on the data, so every run gets the same ids.
    """
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())  # 256 printable stand-ins, one per byte
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + alphabet)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(SPECIAL_TOKENS)
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token=IM_END, pad_token=PAD_TOKEN)
    wrapped.chat_template = CHAT_TEMPLATE
    return wrapped


def render_prompt(tokenizer: PreTrainedTokenizerBase, user_content: str) -> str:
    """The text a GRPO rollout starts from: one user turn, then the assistant header."""
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": user_content}], tokenize=False, add_generation_prompt=True
    )


def split_prompt_completion(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]]) -> tuple[str, str]:
    """Split a conversation ending in an assistant turn into (prompt text, completion text).

    The prompt is rendered exactly like a GRPO prompt (generation header included), and the completion is what the
    model must produce after it, closing <|im_end|> included, so SFT teaches the model to stop.
    """
    if not messages or messages[-1]["role"] != "assistant":
        raise ValueError("an SFT record must end with an assistant message")
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    full = tokenizer.apply_chat_template(messages, tokenize=False)
    if not full.startswith(prompt):
        raise ValueError("chat template is not prefix-stable; cannot mask the prompt")
    return prompt, full[len(prompt) :]
