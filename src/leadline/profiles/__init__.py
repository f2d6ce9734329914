"""Workflow profiles: models, loading and validation."""

from leadline.profiles.models import Profile, Stage

__all__ = ["Profile", "Stage"]
