"""The demo's generator: six months of a made-up organisation's records, pure and
reproducible (docs/demo.md).

``records.generate(anchor, seed)`` returns the records in the NDJSON import format; the same
anchor and seed give the same records, byte for byte. ``org`` holds the teams, their
profiles and collections; ``code`` plans tickets, pull requests and commits; ``delivery``
CI and deployments; ``outcomes`` releases, Done, incidents and events; ``reverts`` the
reverted changes; ``azure`` and ``bitbucket`` turn Identity's and Search's records into
their tools' payloads and run them through the real mappings (``leadline.sources``);
``time`` is the seeded dice and the working-day calendar.

Nothing here touches a database, the network or a subprocess (an import-linter contract
keeps it so): ``leadline.services.demo`` loads the generated records, and
``services.demo_store`` keeps track of what a load wrote.
"""
