"""SynthSmith trainer: SFT then GRPO on a causal LM, driven as child processes by the Temporal trainer worker."""
