"""A duplicate-detection fixture from real texts, and its precision and recall.

Used by the tests (on the extracts in tests/data) and by ``benchmarks/dedup_fixtures.py``
(on any copy of the government work reports). ``build_fixtures`` takes government work
reports from a JSONL file of zh.wikisource records and writes each
into an inbox four times, the way the same speech circulates on document sites:

- ``original/<year>.jsonl``: the zh.wikisource record, unchanged;
- ``mirror/<year>.txt``: a traditional mirror of the noise catalogue's 1.9 family: OpenCC
  s2t, half-width punctuation, tone-marked pinyin in ASCII parentheses after ~15% of Han
  characters (random syllables: the pipeline strips any tone-marked group after a Han
  character, whatever the reading), and a 標題: or 您好!今天是: header line;
- ``masked/<year>.txt``: leader names replaced by xxx / *** / XX and a few figures by XX;
- ``truncated/<year>.txt``: the first 35–65% of the text, cut mid-sentence, then the
  paywall line 试读结束，开通会员文档无限下载使用.

``evaluate`` builds the inbox with the pipeline, runs ``dedup.annotate`` at each
threshold and scores the speech clusters (``duplicate_cluster``) pairwise against the
truth: the four copies of a report form one cluster, different reports different ones.

    .venv/bin/python benchmarks/dedup_fixtures.py [n_reports] [--reports FILE] [--shingles 3,4,5]

Results per threshold: benchmarks/README.md.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections import Counter
from pathlib import Path

import opencc

from pipeline import process
from pipeline.corpus import dedup
from pipeline.text.chardata import HAN
from pipeline.corpus.dedup import DedupConfig

VARIANTS = ("original", "mirror", "masked", "truncated")
#: (canonical, contained) that each copy should come out as.
EXPECTED_KIND = {"original": (True, False), "mirror": (False, False), "masked": (False, False),
                 "truncated": (False, True)}
THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))

#: Where zh.wikisource's licence footer starts (see pipeline/rules/wikisource.json).
_FOOTER = re.compile(r"^(?:本作品是中华人民共和国的|本作品来自|这部作品在|本作品是中華人民共和國的)", re.M)
LEADERS = ("习近平", "李克强", "李强", "温家宝", "朱镕基", "李鹏", "赵紫阳", "华国锋", "周恩来", "毛泽东",
           "邓小平", "胡锦涛", "江泽民")
MASKS = ("xxx", "***", "XX")
PAYWALL = "试读结束，开通会员文档无限下载使用"
_HAN_CHAR = re.compile(f"[{HAN}]")
_NUMERALS = "零一二三四五六七八九十百千万亿点"
#: A figure in Arabic or Chinese numerals, not a year.
_FIGURE = re.compile(rf"(?<![\d.])\d+(?:\.\d+)?(?![\d.]*年)|(?<![{_NUMERALS}])[{_NUMERALS}]{{2,}}(?![{_NUMERALS}年])")
_HALF_WIDTH = str.maketrans({"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"})
_SYLLABLES = ("ba", "bian", "chang", "dang", "fa", "fu", "gong", "guo", "hui", "jian", "jing", "kai", "lao",
              "lü", "min", "nü", "ren", "she", "shi", "tong", "wang", "xue", "yi", "yuan", "zhan", "zheng", "zhong")
_S2T = opencc.OpenCC("s2t")  # the 1954–1957 reports spell the names in traditional characters
_TONES = {"a": "āáǎà", "e": "ēéěè", "i": "īíǐì", "o": "ōóǒò", "u": "ūúǔù", "ü": "ǖǘǚǜ"}


def body(content: str) -> str:
    """A report's text as a mirror site copies it: before the licence footer, with the
    line breaks zh.wikisource leaves around former hyperlinks joined, one paragraph a line."""
    match = _FOOTER.search(content)
    text = content[:match.start()] if match else content
    text = re.sub(r"(?<=[^\n])\n(?=[^\n])", "", text)
    return re.sub(r"\n{2,}", "\n", text).strip()


def toned(syllable: str, tone: int) -> str:
    """``syllable`` with a tone mark (1–4) on the vowel pinyin puts it on.

    >>> toned("zhong", 1), toned("guo", 2), toned("hui", 4), toned("lü", 3)
    ('zhōng', 'guó', 'huì', 'lǚ')
    """
    for vowel in ("a", "e", "ou"):
        if vowel in syllable:
            i = syllable.index(vowel)
            return syllable[:i] + _TONES[vowel[0]][tone - 1] + syllable[i + 1:]
    i = max(syllable.rfind(v) for v in "iuüo")
    return syllable[:i] + _TONES[syllable[i]][tone - 1] + syllable[i + 1:]


def with_pinyin(text: str, rng: random.Random, share: float = 0.15) -> str:
    """Tone-marked pinyin in ASCII parentheses after about ``share`` of the Han characters."""
    return _HAN_CHAR.sub(
        lambda m: m.group() + (f"({toned(rng.choice(_SYLLABLES), rng.randint(1, 4))})" if rng.random() < share else ""),
        text)


def mirror(title: str, text: str, rng: random.Random) -> str:
    """A traditional mirror with pinyin (catalogue 1.9), hoachina or jqdstudio style."""
    page = _S2T.convert(f"{title}\n{text}").translate(_HALF_WIDTH)
    page = with_pinyin(page, rng)
    if rng.random() < 0.5:
        return "標(biāo)題:" + page + "\n"
    return f"您好!今天是:2025年-{rng.randint(1, 12)}月{rng.randint(1, 28)}日-星期四\n" + page + "\n"


def masked(title: str, text: str, rng: random.Random, figures: int = 3) -> str:
    """Leader names masked (one mask style per copy) and a few figures replaced by XX."""
    mask = rng.choice(MASKS)
    text = re.sub("|".join(LEADERS + tuple(_S2T.convert(name) for name in LEADERS)), mask, text)
    found = list(_FIGURE.finditer(text))
    for m in sorted(rng.sample(found, min(figures, len(found))), key=lambda m: m.start(), reverse=True):
        text = text[:m.start()] + "XX" + text[m.end():]
    return f"{title}\n{text}\n"


def truncated(title: str, text: str, rng: random.Random) -> str:
    """The first 35–65% of the text, cut between two Han characters, then the paywall."""
    cut = int(len(text) * rng.uniform(0.35, 0.65))
    while cut < len(text) - 1 and not (_HAN_CHAR.match(text[cut - 1]) and _HAN_CHAR.match(text[cut])):
        cut += 1
    return f"{title}\n{text[:cut]}\n{PAYWALL}\n"


def build_fixtures(out_dir: Path, reports_jsonl: Path, n_reports: int = 30, seed: int = 7) -> list[str]:
    """Write the four copies of ``n_reports`` reports of ``reports_jsonl`` (chosen with
    ``seed`` among those with a year) into ``out_dir``; returns the years chosen. Same
    arguments, same bytes."""
    lines = [line for line in reports_jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    reports = [(line, json.loads(line)) for line in lines]
    reports = [(line, r) for line, r in reports if r.get("year")]
    rng = random.Random(seed)
    chosen = sorted(rng.sample(reports, min(n_reports, len(reports))), key=lambda lr: lr[1]["year"])
    for variant in VARIANTS:
        (out_dir / variant).mkdir(parents=True, exist_ok=True)
    for line, record in chosen:
        year, title, text = record["year"], record["title"], body(record["content"])
        (out_dir / "original" / f"{year}.jsonl").write_text(line + "\n", encoding="utf-8")
        (out_dir / "mirror" / f"{year}.txt").write_text(mirror(title, text, rng), encoding="utf-8")
        (out_dir / "masked" / f"{year}.txt").write_text(masked(title, text, rng), encoding="utf-8")
        (out_dir / "truncated" / f"{year}.txt").write_text(truncated(title, text, rng), encoding="utf-8")
    return [r["year"] for _, r in chosen]


def build_tables(inbox: Path) -> dict:
    """The release tables of every file in the inbox (one batch, no Prefect)."""
    paths = sorted(p for p in inbox.rglob("*") if p.is_file())
    return process.tables([process.batch(paths, inbox)])


def pairwise(predicted: list[str], truth: list[str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering (cluster labels per item) against the truth.

    >>> pairwise(["a", "a", "b", "b"], ["x", "x", "x", "y"])
    (0.5, 0.3333333333333333)
    """
    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter(zip(predicted, truth)))
    found, true = pairs(Counter(predicted)), pairs(Counter(truth))
    return (both / found if found else 1.0), (both / true if true else 1.0)


def evaluate(inbox: Path, thresholds: tuple[float, ...] = THRESHOLDS, shingle_size: int | None = None,
             tables: dict | None = None) -> list[dict]:
    """Precision and recall at each threshold, one dict per threshold.

    ``precision`` and ``recall`` are pairwise, over speeches, of ``duplicate_cluster``
    against the truth: the report a speech's file was made from, the stem of its path
    (``mirror/1998.txt`` → 1998). ``paragraph_precision`` is the share of paragraph
    pointers (``duplicate_of``) that stay within one report's copies; the others are stock
    paragraphs repeated across years (现在，我代表国务院…). ``paragraph_recall`` is the share
    of the non-canonical copies' paragraphs that point into their report; it cannot reach
    1, since a paragraph cut by the paywall or split differently has no twin.
    ``kind_accuracy``: share of speeches with the kind their copy calls for (an original
    canonical, a truncated copy ``contained``, a mirror or masked copy ``exact``/``near``).
    ``tables`` skips the build when already at hand.
    """
    tables = tables if tables is not None else build_tables(Path(inbox))
    paths = dict(zip(tables["documents"].column("doc_id").to_pylist(), tables["documents"].column("source_path").to_pylist()))
    report_of = {d: Path(p).stem for d, p in paths.items()}
    variant_of_doc = {d: Path(p).parts[0] for d, p in paths.items()}
    truth = [report_of[d] for d in tables["speeches"].column("doc_id").to_pylist()]
    variant_of = [variant_of_doc[d] for d in tables["speeches"].column("doc_id").to_pylist()]
    paragraph_report = [report_of[d] for d in tables["paragraphs"].column("doc_id").to_pylist()]
    paragraph_row = {pid: i for i, pid in enumerate(tables["paragraphs"].column("paragraph_id").to_pylist())}
    size = shingle_size or DedupConfig().shingle_size
    index, results = None, []
    for threshold in thresholds:
        config = DedupConfig(threshold=threshold, shingle_size=size)
        out, index, stats = dedup.annotate(tables, config, previous=index)
        predicted = out["speeches"].column("duplicate_cluster").to_pylist()
        precision, recall = pairwise(predicted, truth)
        non_canonical = {sid for sid, of in zip(out["speeches"].column("speech_id").to_pylist(),
                                                 out["speeches"].column("duplicate_of").to_pylist()) if of}
        pointers = same = copies = found = 0
        for i, (sid, of) in enumerate(zip(out["paragraphs"].column("speech_id").to_pylist(),
                                          out["paragraphs"].column("duplicate_of").to_pylist())):
            inside = of is not None and paragraph_report[paragraph_row[of]] == paragraph_report[i]
            pointers += of is not None
            same += inside
            if sid in non_canonical:
                copies += 1
                found += inside
        kinds = out["speeches"].column("duplicate_kind").to_pylist()
        right = sum(EXPECTED_KIND[variant] == (kind is None, kind == "contained")
                    for variant, kind in zip(variant_of, kinds))
        paragraph_precision = same / pointers if pointers else 1.0
        paragraph_recall = found / copies if copies else 1.0
        results.append({
            "threshold": threshold, "shingle_size": size, "precision": round(precision, 4), "recall": round(recall, 4),
            "paragraph_precision": round(paragraph_precision, 4), "paragraph_recall": round(paragraph_recall, 4),
            "paragraph_f1": round(2 * paragraph_precision * paragraph_recall / (paragraph_precision + paragraph_recall), 4)
            if paragraph_precision + paragraph_recall else 0.0,
            "kind_accuracy": round(right / len(kinds), 4) if kinds else 1.0,
            "speeches": len(truth), "clusters": stats.clusters,
            "kinds": dict(sorted(Counter(k for k in kinds if k).items())),
            "seconds": stats.seconds,
        })
    return results


def choose(results: list[dict]) -> dict:
    """The threshold to default to: the best paragraph F1 (the lower threshold on a tie)
    among the robust thresholds, those that reach the best speech clusters (min of precision
    and recall) and the best kind accuracy together with their neighbours 0.05 away, so
    that neither is on the edge of failing.

    >>> rows = [{"threshold": t, "precision": 1.0, "recall": 1.0, "kind_accuracy": k, "paragraph_f1": f}
    ...         for t, k, f in [(0.6, 0.9, 0.97), (0.65, 1.0, 0.96), (0.7, 1.0, 0.95), (0.75, 1.0, 0.94)]]
    >>> choose(rows)["threshold"]
    0.7
    """
    def quality(r: dict) -> tuple[float, float]:
        return min(r["precision"], r["recall"]), r["kind_accuracy"]

    best = max(quality(r) for r in results)
    robust = [r for i, r in enumerate(results)
              if all(quality(n) == best for n in results[max(i - 1, 0):i + 2])]
    return max(robust or results, key=lambda r: (r["paragraph_f1"], -r["threshold"]))


def margins(tables: dict, shingle_size: int) -> dict:
    """Speech-level Jaccard similarity of the folded texts: the lowest between a report and
    its mirror or masked copy, the highest between two different reports (the originals)."""
    paths = dict(zip(tables["documents"].column("doc_id").to_pylist(), tables["documents"].column("source_path").to_pylist()))
    texts: dict[str, list[str]] = {}
    for doc, text in zip(tables["paragraphs"].column("doc_id").to_pylist(), tables["paragraphs"].column("text").to_pylist()):
        texts.setdefault(paths[doc], []).append(dedup.fold(text))
    sets = {path: set().union(*(dedup.shingles(t, shingle_size) for t in folded)) for path, folded in texts.items()}
    originals = {Path(p).stem: s for p, s in sets.items() if p.startswith("original/")}
    copies = [dedup.jaccard(originals[Path(p).stem], s) for p, s in sets.items() if p.startswith(("mirror/", "masked/"))]
    others = [dedup.jaccard(a, b) for (ya, a), (yb, b) in itertools.combinations(sorted(originals.items()), 2)]
    return {"shingle_size": shingle_size, "lowest_copy_jaccard": round(min(copies), 4),
            "highest_other_report_jaccard": round(max(others), 4)}
