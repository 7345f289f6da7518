"""Text stages: character data, normalisation, noise detection and cleaning."""
