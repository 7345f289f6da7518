"""Document structure: speeches, sections (公文 headings) and paragraphs of a cleaned text."""
