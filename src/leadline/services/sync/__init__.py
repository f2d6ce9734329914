"""``leadline sync <tool>``: pulling a tool's history through its REST API (docs/sync.md).

``engine`` is the shared orchestration — resources run in order, one transaction per listed
page together with its cursor, the merge with stored records, the counts — and ``walk`` is
how a newest-first listing is read incrementally and resumed (``desc_walk``). Every other
module is one tool: ``github`` (with ``github_ci`` for runs, deployments, releases and tags,
and ``github_base`` for what both use), ``gitlab``, ``jira``, ``opsgenie``, ``servicenow``,
``azure_devops``, ``bitbucket``, ``jenkins``, ``circleci``; a tool's helpers are
``<tool>_<part>`` modules next to it. The HTTP client and the pure mappings of the tools'
JSON to records live in ``leadline.sources``; this package does the I/O between the two.

Adding a tool: a module ``<tool>.py`` here with a ``sync_<tool>(engine, client, …)``
function that builds its resources (each an object with ``name`` and ``pull(cursor, ctx)``
yielding ``engine.Batch``\\ es) and calls ``engine.run_sync``; its command is
``cli/sync/<tool>.py``. A tool module imports ``engine``, ``walk`` and its own helpers,
never another tool, so the package has no import cycle.
"""
