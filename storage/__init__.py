"""The catalog: models, engine and sessions, migrations, queries, the name index and the importers."""
