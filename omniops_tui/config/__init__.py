"""Configuration: the TOML model, its validation, where files live, secrets by variable name."""
