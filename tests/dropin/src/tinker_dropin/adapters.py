"""LoRA settings, under this package's own name for them."""

from tinker.types import LoraConfig as LoraAdapterConfig

__all__ = ["LoraAdapterConfig"]
