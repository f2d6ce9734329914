"""Use-cases: ingest, sync, correlate, report. They own transactions and I/O."""
