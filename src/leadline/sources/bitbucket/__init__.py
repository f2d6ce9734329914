"""Bitbucket Cloud and Bitbucket Data Center (Server): webhook deliveries and REST answers
mapped to records (commit, pull_request, pipeline_run). Pure mapping code: no HTTP, no clock.

``webhook.parse(event, payload)`` reads a delivery (``X-Event-Key`` + body), both flavours;
``rest`` maps the REST listings ``leadline sync bitbucket`` reads; ``mapping`` holds what the
two share (a Cloud or Data Center pull request, a commit status as a run), so a pull request
stored from a hook and from a sync is the same record. ``signature`` holds the
``X-Hub-Signature: sha256=…`` check both flavours sign with. Every decision:
docs/sources-bitbucket.md.
"""
