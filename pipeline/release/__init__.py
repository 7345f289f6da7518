"""Publishing a release: Parquet, the JSONL download, manifest, card, Croissant, report, verify."""
