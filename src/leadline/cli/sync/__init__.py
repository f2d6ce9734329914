"""``leadline sync TOOL``: one module per tool with a REST API (``github``, ``gitlab``, ``jira``,
``servicenow``, ``opsgenie``, ``circleci``, ``azure_devops``, ``bitbucket``, ``jenkins``), each a
click command calling its ``services.sync`` module; ``common`` holds the ``sync`` group and what
every command shares (token handling, progress display, the summary). A new tool's command is
one module here, attached in ``cli.main``.
"""
