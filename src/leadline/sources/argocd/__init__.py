"""Argo CD: argocd-notifications webhooks → ``pipeline_run`` records (deployments).

Argo CD has no fixed webhook body: the body is whatever the notification template renders.
docs/sources-argocd.md ships the template (``service.webhook.leadline`` and the templates
``app-deployed``, ``app-sync-failed``, ``app-health-degraded``) whose JSON ``webhook``
reads. Pure mapping code; the secret is a fixed header compared by
``leadline.sources.signatures.token_ok``.
"""
