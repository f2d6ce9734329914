"""Azure DevOps (Boards, Repos, Pipelines): service-hook deliveries and REST answers → records.

Pure mapping code, like every source: a decoded payload in, records out (``Parsed``), or a
``PayloadError`` naming the JSON path — no HTTP, no clock, no database (the sync service in
``leadline.services.sync.azure_devops`` does the I/O).

- ``fields``: what the hook payloads and the REST answers share — the pull request, commit
  and work item resources have the same shape in both — plus Azure's time quirks (seven
  fractional digits; ``0001-01-01T00:00:00`` means *unset*, never year 1).
- ``runs``: builds and release deployments as pipeline runs (shared the same way).
- ``webhook``: the "Web Hooks" service-hook consumer's deliveries (``parse``).
- ``rest``: the REST answers ``leadline sync azure-devops`` reads.
- ``auth``: the HTTP Basic check of a delivery (the hook's password is the shared secret).

Work items become issues keyed ``AB#<id>`` — the form Azure Boards itself uses in commit
messages, PR titles and branch names, so ``leadline.correlate.keys`` finds the same key in
the text of pull requests (any tool's). Every mapping decision: docs/sources-azure-devops.md.
"""
