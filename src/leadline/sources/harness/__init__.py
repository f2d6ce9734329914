"""Harness pipelines: pipeline and stage notifications (notification method "Webhook") →
``pipeline_run`` records.

Pure mapping code (``webhook``). Harness signs nothing: the notification rule sends a fixed
header the receiver compares with its secret (``leadline.sources.signatures.token_ok``).
The default bodies carry no commit, branch, environment or service; docs/sources-harness.md
shows how to add them and what leadline does without them.
"""
