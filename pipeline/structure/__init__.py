"""Document structure: speeches, sections (公文 headings) and paragraphs of a cleaned text,
with speech metadata. ``segment.document`` is the entry point."""
