"""CircleCI: outbound webhooks (``workflow-completed``, ``job-completed``) and API v2 listings
(pipelines and their workflows) → ``pipeline_run`` records.

Pure mapping code (no HTTP, no clock): ``webhook`` reads a delivery, ``rest`` an API item,
``runs`` holds what both share (the statuses, where the commit is, the record itself), so a
workflow stored by a webhook and by ``leadline sync circleci`` is the same record.
``signature`` checks ``circleci-signature: v1=<hex>``. docs/sources-circleci.md.
"""
