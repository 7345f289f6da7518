"""Text stages: character data, normalisation, site rules, noise detection, line-break
repair, and cleaning (which runs them in order)."""
