"""The ground floor: small shared pieces every app may import, and which import no app.

`kit.api` is the machine API's kit (the caller, problem details, pagination); `kit.csv_safety`
keeps spreadsheet cells from running as formulas. An import-linter contract in pyproject.toml keeps
this package free of imports from the apps above it (docs/architecture.md).
"""
