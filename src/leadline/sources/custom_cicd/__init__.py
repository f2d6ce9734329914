"""The custom CI/CD job API (Harness SEI's ``POST /v1/custom-cicd``): one finished job run →
a pipeline run (``webhook``). Pure mapping code: no HTTP, no clock. Field-by-field rules:
docs/sources-jira-pagerduty.md.
"""
