"""Jenkins: Notification plugin deliveries and JSON API builds mapped to pipeline runs. Pure
mapping code: no HTTP, no clock.

``webhook.parse(payload)`` reads a Notification plugin delivery; ``rest.build_run`` a build
of ``/job/NAME/api/json``; ``mapping`` holds what both share (the result → status rule, the
job name, the repository of a remote URL). Jenkins cannot tell a build from a deployment:
every run is stored as ``ci_cd`` and the profile's ``pipelines`` globs (job names) say which
jobs count as CI and which as deployments. Every decision: docs/sources-jenkins.md.
"""
