"""Checkpoints, moved out of ``tinker_dropin.types``."""

from tinker.types import Checkpoint

__all__ = ["Checkpoint"]
