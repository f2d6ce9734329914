"""leadline: self-hosted software engineering insights (lead time by stage, DORA)."""

__version__ = "0.1.0"
