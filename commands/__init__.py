"""Slate's commands: parse a query, resolve names, ask the catalog, build a neutral reply. No Discord here."""
