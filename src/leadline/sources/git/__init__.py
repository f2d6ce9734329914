"""A local git repository as records (``leadline git``; docs/git.md): commits, and one ``cd``
pipeline run per tag.

- ``gitlog``: runs the ``git`` binary (the only module of ``leadline.sources`` that starts a
  process);
- ``parse``: reads what git prints into records, purely (the repository, refs and tags, the
  commits, a tag as a deployment).
"""
