"""Storage: SQLAlchemy tables, record upserts, migrations."""
