"""The declarative engine: a TOML mapping file compiled into rules, run over XML records."""
