"""Document structure: speeches (from a TOC, compilation markers or speaker turns),
sections (公文 headings and subheads) and paragraphs of a cleaned text, with speech
metadata (speaker and office, date and place, salutation, dateline, subtitle).
``segment.document`` is the entry point."""
