"""Integrations: one package per tool (slug = package name: ``github``, ``gitlab``, ``jira``,
``pagerduty``, ``opsgenie``, ``custom_cicd``, ``azure_devops``, ``bitbucket``, ``circleci``,
``jenkins``, ``servicenow``, ``harness``, ``argocd``, ``git``), each mapping a decoded payload
to domain records: ``webhook`` a delivery, ``rest`` a REST answer, ``signature`` (or
``auth``) the check of a delivery. No database anywhere in this package.

The mapping code is pure: no HTTP, no process, no clock. Only two places do I/O, for the
services that drive them: ``http`` (the ``RestClient`` every ``leadline sync`` fetches with:
retries, rate limits, pagination) and ``git.gitlog`` (runs the ``git`` binary). The
import-linter contracts in pyproject.toml hold this, and keep the tool packages independent
of each other.

What the tools share: ``base`` (``Parsed``, the result; ``PayloadError``, a payload leadline
cannot read, naming the JSON path; ``merge``, how a webhook snapshot is combined with the
stored record; time, ref and URL readers), ``payload`` (``Node``, reading a payload with its
JSON path; ``build``, a dict validated as a record) and ``signatures`` (HMAC-SHA256 and
shared-token checks, constant time on bytes). See docs/sources.md.
"""

from leadline.sources.base import Parsed, PayloadError, merge

__all__ = ["Parsed", "PayloadError", "merge"]
