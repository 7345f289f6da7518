"""The one definition of every table of a release.

Each table is a list of columns; each column names its Arrow type, whether it may be
null, one sentence of documentation and the checks it must pass. Everything else derives
from here: the Arrow schemas of the Parquet writer, the nested JSONL download, the Great
Expectations suites (``pipeline.validate``), the dataset card, and the record dataclasses
of ``pipeline.records`` are checked against it by a test.

Changing a column is a data-contract change: bump ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from schemas import characters

SCHEMA_VERSION = "1.3.0"

#: 16 lowercase hex digits: the first 64 bits of a sha256 (see ``pipeline.records``).
ID_PATTERN = r"^[0-9a-f]{16}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

#: Markers a section may carry: 公文 numbering (一、 （一） 第一章 1. （1） ①) or "" for a
#: titled sub-lecture that has no marker.
MARKER_PATTERN = (
    r"^(|[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）"
    r"|第[一二三四五六七八九十百]+[章节篇部分讲]|[0-9]{1,3}[、.．]|（[0-9]{1,3}）|[①-⑳])$"
)

#: Han characters and the Chinese punctuation that surrounds them, written with escapes
#: because the checks below are shown to people in the suites and Data Docs.
_HAN = characters.escaped(characters.HAN)
_CJK_PUNCT = characters.escaped(characters.CJK_PUNCT)

#: Layout spaces between two Han characters in a paragraph, left behind: a no-break space or
#: a run of spaces (a page break next to a separator, letter spacing). A single space
#: between two phrases is text (``以“共享机遇 共创未来”为主题``, issue 19): it is kept, so
#: a single ASCII space is not forbidden here.
PAGE_BREAK_SPACE_PATTERN = rf"[{_HAN}](?: ?\u00a0[ \u00a0]*| {{2,}})[{_HAN}]"
#: Half-width , : ; ! ? ( ) touching a Han character or Chinese punctuation.
HALF_WIDTH_IN_CHINESE_PATTERN = (
    rf"[{_HAN}{_CJK_PUNCT}][,:;!?()]|[,:;!?()][{_HAN}{_CJK_PUNCT}]"
)
#: Flags a paragraph or document may carry: what a reader should know about it.
FLAGS = (
    "after_gap",        # text was cut out before this paragraph (paywall, hidden-text marker)
    "truncated",        # the document ends here mid-sentence (preview cut)
    "not_prose",        # fails the prose gate (Han ratio, punctuation, repetition)
    "foreign_language", # mostly non-Chinese (appended machine translation)
    "mojibake",         # decoding damage that could not be repaired
    "summary",          # an auto-written summary or 编者按, not the speech itself
    "caption",          # a photo caption shorter than a sentence (图为…, …记者 某某 摄), not speech text
)

#: Control characters and U+FFFD, the marks of a bad decode.
CONTROL_PATTERN = f"[{characters.escaped(characters.CONTROL)}]"


@dataclass(frozen=True)
class Column:
    """One column: its Arrow type, nullability, meaning and the checks it must pass."""

    name: str
    type: pa.DataType
    doc: str
    nullable: bool = False
    unique: bool = False
    #: The value must match this regular expression (null values are skipped).
    pattern: str | None = None
    #: The text must not match any of these regular expressions.
    forbid: tuple[str, ...] = ()
    #: The value must be one of these.
    allowed: tuple | None = None
    #: Inclusive numeric bounds (None: unbounded).
    min_value: int | None = None
    max_value: int | None = None
    #: "table.column" this column refers to (a foreign key).
    references: str | None = None


@dataclass(frozen=True)
class Table:
    """One table of the release: its columns, key and the order its rows are written in."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    sort_by: tuple[str, ...]
    #: Pairs (a, b) where column a must be strictly greater than column b.
    greater_than: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}; columns: {self.column_names}")

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema the Parquet writer uses (never inferred from data)."""
        fields = [
            pa.field(c.name, c.type, nullable=c.nullable, metadata={"doc": c.doc})
            for c in self.columns
        ]
        return pa.schema(
            fields,
            metadata={
                "table": self.name,
                "schema_version": SCHEMA_VERSION,
                "doc": self.doc,
            },
        )


#: The script a document is written in (``pipeline.text.normalize.conversion`` decides).
SCRIPTS = ("simplified", "traditional", "mixed")

#: Why an input produced no document.
REJECT_REASONS = (
    "empty_file",          # 0 bytes
    "undecodable",         # no supported encoding decodes it, or it decodes to binary
    "unreadable",          # the file system refused to read it
    "duplicate_input",     # byte-identical to an earlier file
    "unsupported_format",  # an extension the pipeline does not read
    "no_text_column",      # a CSV/JSONL without any configured text field
    "malformed_record",    # a JSONL line that is not a JSON object, a CSV row that does not parse
    "empty_text",          # the record's text field is empty
    "not_prose",           # the text fails the prose gate (Han ratio, repetition…)
    "too_large",           # over a configured size limit (file, line, decompressed bytes)
    "too_many_rejects",    # one row for a file's rejected lines past max_rejects_per_file (count by reason in detail)
    "too_slow",            # an HTML page whose parsing would pass its work budget (max_parse_passes)
    "outside_inbox",       # a symlink that points outside the inbox (not followed)
    "hidden_file",         # a file or folder whose name starts with '.' (not read)
    "link_loop",           # a symlink that leads back to itself, or to a folder holding it (not followed)
    "linked_folder",       # a symlink to a folder of the inbox, whose files are read where they are
    "no_body",             # no paragraph of running text: only a column banner, an advert word, a photo credit
    "failed_validation",   # a document whose rows broke a row-level expectation: quarantined, not published
)

_STRING = pa.string()
_STRINGS = pa.list_(pa.string())
_F32 = pa.float32()

#: How a record duplicates another.
DUPLICATE_KINDS = ("exact", "near", "contained")
_I32 = pa.int32()
_I64 = pa.int64()

DOCUMENTS = Table(
    name="documents",
    doc="One row per input document (a file, or a line of a JSONL/CSV corpus) that was read.",
    key=("doc_id",),
    sort_by=("source_path", "doc_id"),
    columns=(
        Column("doc_id", _STRING, "Stable id: the first 16 hex digits of sha256 of the source bytes (and line, for corpus files).", unique=True, pattern=ID_PATTERN),
        Column("source_path", _STRING, "Path of the input file relative to the inbox."),
        Column("source_line", _I32, "1-based line (JSONL) or row (CSV) of the record in a corpus file; null for a one-document file.", nullable=True, min_value=1),
        Column("source_sha256", _STRING, "sha256 of the input file's bytes.", pattern=SHA256_PATTERN),
        Column("source_bytes", _I64, "Size of the input file in bytes.", min_value=0),
        Column("format", _STRING, "Input format: txt, html, jsonl or csv.", allowed=("txt", "html", "jsonl", "csv")),
        Column("encoding", _STRING, "Encoding the source was decoded with.", allowed=("utf-8", "utf-8-sig", "gb18030", "utf-16")),
        Column("site", _STRING, "Site family whose page layout was recognised, or null when none was.", nullable=True),
        Column("url", _STRING, "URL the record was scraped from, when the corpus gives one.", nullable=True),
        Column("title", _STRING, "Document title as the page or record declares it, normalised.", nullable=True),
        Column("published_date", pa.date32(), "Publish date from the page header.", nullable=True),
        Column("page_count", _I32, "Page count from the page header.", nullable=True, min_value=1),
        Column("declared_size", _STRING, "File size the page header declares, as written (e.g. '37.5 KB').", nullable=True),
        Column("declared_speech_count", _I32, "Number of speeches the title declares (e.g. '6篇汇编').", nullable=True, min_value=1),
        Column("speech_count", _I32, "Number of speeches segmented from the document.", min_value=0),
        Column("paragraph_count", _I32, "Number of paragraphs over all speeches of the document.", min_value=0),
        Column("char_count", _I64, "Length of the decoded source in code points.", min_value=0),
        Column("removed_char_count", _I64, "Code points of the source recorded in the removals table.", min_value=0),
        Column("converted_char_count", _I64, "Han characters OpenCC changed to simplified: many for a traditional mirror, a few for a stray 贏.", min_value=0),
        Column("script", _STRING, "Script of the source text: 'simplified' (nothing converted but stray characters the document also writes simplified), 'traditional' (converted whole) or 'mixed' (only its traditional lines converted).", allowed=SCRIPTS),
        Column("segmentation", _STRING, "How speeches were found: 'toc' (table of contents), 'markers' (compilation markers such as 第一篇： or 篇一), 'turns' (a multi-speaker page: one speech per speaker turn) or 'single' (the whole document is one speech).", allowed=("toc", "markers", "turns", "single")),
        Column("status", _STRING, "'ok' (a document whose cleaning leaves no paragraph of running text is a no_body reject instead).", allowed=("ok", "empty")),
        Column("flags", _STRINGS, "What a reader should know about the whole document (see FLAGS in schemas).", ),
        Column("metadata", _STRING, "A JSON object, or null: the corpus record's other fields (province, year…), and what a page says about its document: doc_number (文号), issuer (发文机关), written_on (成文日期, ISO), published_on (发布日期, ISO), subject (主题分类) from a government portal's metadata table.", nullable=True),
        # Issue 19: page text that is neither a speech nor noise.
        Column("editor_note", _STRING, "The editor's note printed above the speech or speeches (编者按：…, with its ——编者 sign-off), lines joined by newlines; null when the page has none. Its lines are in removals as editor_note.", nullable=True),
    ),
)

#: The columns of ``documents`` each line of the JSONL download repeats in its ``document``
#: object: where the speech was published, under which title and when, and where it lies
#: in the inbox; what citing a speech takes, with the download alone.
DOWNLOAD_DOCUMENT_COLUMNS = ("source_path", "source_line", "url", "site", "title", "published_date")

SPEECHES = Table(
    name="speeches",
    doc="One row per speech (讲话, 发言, 党课讲稿, 工作报告…) found in a document.",
    key=("speech_id",),
    sort_by=("doc_id", "ordinal"),
    greater_than=(("source_end", "source_start"), ("title_source_end", "title_source_start")),
    columns=(
        Column("speech_id", _STRING, "Stable id derived from doc_id and the speech's source offset.", unique=True, pattern=ID_PATTERN),
        Column("doc_id", _STRING, "Document the speech belongs to.", pattern=ID_PATTERN, references="documents.doc_id"),
        Column("ordinal", _I32, "1-based position of the speech in its document.", min_value=1),
        Column("title", _STRING, "Speech title (from the table of contents, else the document title).", nullable=True),
        Column("genre", _STRING, "Genre read from the title: 讲话, 发言, 党课讲稿, 工作报告, 致辞, 决议…; null when the title names none.", nullable=True),
        Column("speaker", _STRING, "Who delivered it: the name without the page's layout spaces (龚正 for 上海市市长 龚 正), from a speaker line, a turn of a multi-speaker page or a date line; the office is speaker_title. Null when not stated.", nullable=True),
        Column("delivered_on", pa.date32(), "Date it was delivered, from a date line (——2026年2月3日在…) or the title; for a document that states its own date (成文日期), that date, never a posting date; null when not stated.", nullable=True),
        Column("occasion", _STRING, "The meeting it was delivered at (…上 / 在…上), from the date line or the title; null when not stated.", nullable=True),
        Column("occasion_type", _STRING, "The kind of meeting: 调度会, 电视电话会议, 座谈会, 工作会议, 人民代表大会…; null when none is named.", nullable=True),
        Column("salutation", _STRING, "The opening salutation (各位代表：, 女士们，先生们，朋友们：) when the speech has one, its lines joined with nothing between them when it runs over several; it is also the speech's first paragraph.", nullable=True),
        Column("text", _STRING, "The whole cleaned speech: headings and paragraphs, one per line.", forbid=(CONTROL_PATTERN,)),
        Column("char_count", _I32, "Length of text in code points.", min_value=0),
        Column("section_count", _I32, "Number of sections of the speech.", min_value=0),
        Column("paragraph_count", _I32, "Number of paragraphs of the speech.", min_value=0),
        Column("token_count", _I32, "Sum of token_count over the speech's paragraphs.", min_value=0),
        Column("placeholder_count", _I32, "Sum of placeholder_count over the speech's paragraphs.", min_value=0),
        Column("keywords", _STRINGS, "Up to 10 keywords by TF-IDF over the release's own speeches (jieba's IDF for a corpus too small), best first."),
        Column("duplicate_of", _STRING, "speech_id of the canonical speech this one duplicates or is contained in; null for a canonical or unique speech.", nullable=True, pattern=ID_PATTERN, references="speeches.speech_id"),
        Column("duplicate_kind", _STRING, "exact (same normalised text), near (MinHash Jaccard over the threshold) or contained (most of its paragraphs are in duplicate_of); null when duplicate_of is.", nullable=True, allowed=DUPLICATE_KINDS),
        Column("duplicate_score", _F32, "Jaccard similarity (near, exact = 1) or share of paragraphs found (contained); null when duplicate_of is.", nullable=True, min_value=0, max_value=1),
        Column("duplicate_cluster", _STRING, "speech_id of the canonical speech of its duplicate cluster (itself when canonical); every speech has one.", pattern=ID_PATTERN, references="speeches.speech_id"),
        Column("source_start", _I64, "Code-point offset in the decoded source where the speech (its title, if in the text) starts.", min_value=0),
        Column("source_end", _I64, "Code-point offset in the decoded source where the speech ends (exclusive).", min_value=1),
        Column("title_source_start", _I64, "Where the title stands in the source, or null when the title comes from the document metadata.", nullable=True, min_value=0),
        Column("title_source_end", _I64, "End (exclusive) of the title in the source, or null.", nullable=True, min_value=1),
        # Issue 19 and issue 23 (point 2): what the lines around a title say, each line as printed in removals (speech_metadata).
        Column("speaker_title", _STRING, "The speaker's office or description as the speaker line prints it (上海市市长, 市人大代表、江州第一中学校长); null when not stated.", nullable=True),
        Column("place", _STRING, "Where it was delivered, from a date line such as （2019年10月9日，北京）; null when not stated.", nullable=True),
        Column("dateline", _STRING, "The newspaper dateline the article opens with, as printed (新华社北京10月9日电, 本报江州1月9日电（记者张伟））; null when none.", nullable=True),
        Column("subtitle", _STRING, "The subtitle printed under the title, as printed (——在第二届东湖国际合作论坛上的主旨演讲); null when none.", nullable=True),
        Column("kicker", _STRING, "The kicker (引题) printed above the title, as printed; null when none.", nullable=True),
    ),
)

SECTIONS = Table(
    name="sections",
    doc="One row per heading of a speech: 公文 markers (一、 （一）…) and titled sub-lectures.",
    key=("section_id",),
    sort_by=("doc_id", "speech_id", "ordinal"),
    greater_than=(("source_end", "source_start"),),
    columns=(
        Column("section_id", _STRING, "Stable id derived from doc_id and the heading's source offset.", unique=True, pattern=ID_PATTERN),
        Column("speech_id", _STRING, "Speech the section belongs to.", pattern=ID_PATTERN, references="speeches.speech_id"),
        Column("doc_id", _STRING, "Document the section belongs to.", pattern=ID_PATTERN, references="documents.doc_id"),
        Column("parent_section_id", _STRING, "Enclosing section (null at level 1).", nullable=True, pattern=ID_PATTERN, references="sections.section_id"),
        Column("level", _I32, "Nesting depth inside the speech, 1 = top.", min_value=1, max_value=6),
        Column("ordinal", _I32, "1-based position of the section in its speech, in document order.", min_value=1),
        Column("marker", _STRING, "The numbering as written and normalised (一、, （一）…), or '' for a titled sub-lecture.", pattern=MARKER_PATTERN),
        Column("title", _STRING, "Heading text without its marker and without a closing 。.", forbid=(CONTROL_PATTERN,)),
        Column("run_in", pa.bool_(), "True when the heading is the first sentence of a paragraph (its sentence is not repeated in the paragraph text)."),
        Column("source_start", _I64, "Code-point offset in the decoded source where the heading starts.", min_value=0),
        Column("source_end", _I64, "Code-point offset in the decoded source where the heading ends (exclusive).", min_value=1),
    ),
)

PARAGRAPHS = Table(
    name="paragraphs",
    doc="One row per paragraph of running text, in speech order.",
    key=("paragraph_id",),
    sort_by=("doc_id", "speech_id", "ordinal"),
    greater_than=(("source_end", "source_start"),),
    columns=(
        Column("paragraph_id", _STRING, "Stable id derived from doc_id and the paragraph's source offset.", unique=True, pattern=ID_PATTERN),
        Column("speech_id", _STRING, "Speech the paragraph belongs to.", pattern=ID_PATTERN, references="speeches.speech_id"),
        Column("section_id", _STRING, "Innermost section the paragraph belongs to (null before the first heading).", nullable=True, pattern=ID_PATTERN, references="sections.section_id"),
        Column("doc_id", _STRING, "Document the paragraph belongs to.", pattern=ID_PATTERN, references="documents.doc_id"),
        Column("ordinal", _I32, "1-based position of the paragraph in its speech.", min_value=1),
        Column("text", _STRING, "The cleaned paragraph: t2s, full-width punctuation in Chinese text, page-break spaces removed.", forbid=(CONTROL_PATTERN, PAGE_BREAK_SPACE_PATTERN, HALF_WIDTH_IN_CHINESE_PATTERN)),
        Column("char_count", _I32, "Length of text in code points.", min_value=1),
        Column("tokens", pa.list_(pa.string()), "jieba tokens of text (precise mode, HMM on; whitespace dropped)."),
        Column("token_count", _I32, "Number of tokens.", min_value=0),
        Column("placeholders", _STRINGS, "Placeholders as written (XX, ×××, 20xx, ***, ____…), in order; they stand for redacted names, places and figures and are never deleted."),
        Column("placeholder_count", _I32, "Number of placeholders.", min_value=0),
        Column("flags", _STRINGS, "What a reader should know about the paragraph: after_gap, truncated, not_prose… (see FLAGS in schemas)."),
        Column("duplicate_of", _STRING, "paragraph_id of the twin in another speech: in the speech this one's speech duplicates, else in the canonical speech of the cluster; null when none.", nullable=True, pattern=ID_PATTERN, references="paragraphs.paragraph_id"),
        Column("duplicate_kind", _STRING, "exact or near; null when duplicate_of is.", nullable=True, allowed=DUPLICATE_KINDS),
        Column("duplicate_score", _F32, "Jaccard similarity to the twin (exact = 1); null when duplicate_of is.", nullable=True, min_value=0, max_value=1),
        Column("source_start", _I64, "Code-point offset in the decoded source where the paragraph starts.", min_value=0),
        Column("source_end", _I64, "Code-point offset in the decoded source where the paragraph ends (exclusive).", min_value=1),
    ),
)

REMOVALS = Table(
    name="removals",
    doc="Every span of a source that cleaning removed from the text, and why.",
    key=("doc_id", "source_start"),
    sort_by=("doc_id", "source_start"),
    greater_than=(("source_end", "source_start"),),
    columns=(
        Column("doc_id", _STRING, "Document the span was removed from.", pattern=ID_PATTERN, references="documents.doc_id"),
        Column("kind", _STRING, "Noise family of the span (site_header, banner, toc, page_break_space…)."),
        Column("rule", _STRING, "Name of the rule that matched."),
        Column("source_start", _I64, "Code-point offset in the decoded source where the span starts.", min_value=0),
        Column("source_end", _I64, "Code-point offset in the decoded source where the span ends (exclusive).", min_value=1),
        Column("text", _STRING, "The removed text as it stands in the source."),
    ),
)

REJECTS = Table(
    name="rejects",
    doc="Every input that produced no document, with the reason.",
    key=("source_path", "source_line"),
    sort_by=("source_path", "source_line"),
    columns=(
        Column("source_path", _STRING, "Path of the input relative to the inbox."),
        Column("source_line", _I32, "1-based line or row of a corpus file the reject is about; null when it is about the whole file.", nullable=True, min_value=1),
        Column("source_sha256", _STRING, "sha256 of the input's bytes (null when it could not be read).", nullable=True, pattern=SHA256_PATTERN),
        Column("reason", _STRING, "Machine-readable reason, one of: " + ", ".join(REJECT_REASONS) + ".", allowed=REJECT_REASONS),
        Column("detail", _STRING, "Human-readable explanation naming the offending value."),
    ),
)

#: All tables in the order they are written and documented.
TABLES: dict[str, Table] = {
    t.name: t for t in (DOCUMENTS, SPEECHES, SECTIONS, PARAGRAPHS, REMOVALS, REJECTS)
}

#: Columns computed over the whole release (keywords, duplicate marks): they may change
#: when other speeches come or go while the row's own text stays the same, so what
#: changed between two releases (``pipeline.release.diff``) does not compare them.
CORPUS_WIDE_COLUMNS: dict[str, tuple[str, ...]] = {
    "speeches": ("keywords", "duplicate_of", "duplicate_kind", "duplicate_score", "duplicate_cluster"),
    "paragraphs": ("duplicate_of", "duplicate_kind", "duplicate_score"),
}


def table(name: str) -> Table:
    """The table called ``name``; raises with the valid names on a typo."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables: {sorted(TABLES)}") from None
