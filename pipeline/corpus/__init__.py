"""Words and the corpus-wide steps: tokens, quality flags, keywords, near-duplicates."""
