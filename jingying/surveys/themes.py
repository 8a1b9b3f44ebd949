"""Free-text answers grouped into themes with Chinese word segmentation (jieba, MIT licence).

The words of every answer (jieba with the police-domain dictionary `data/police_dict.txt`,
less the stop words of `data/stopwords.txt`, single characters and numbers) are counted; the
word found in most answers opens a theme holding every answer that contains it, those answers
leave the pool, and so on — until the next word would gather fewer than k answers. Each theme
is labelled by its word and up to two words that often come with it, and carries its count
and up to three example answers. What is left is counted as "其他". Deterministic for a given
random generator (the caller seeds it with the campaign, question and unit).

Measured: `pytest jingying/surveys/tests/test_analysis_themes.py -k speed` (10,000 answers).
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
MAX_THEMES = 12
EXAMPLES = 3
EXAMPLE_CHARS = 200
_WORD_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_lock = threading.Lock()


@dataclass
class Theme:
    label: str
    words: list[str]
    count: int
    examples: list[str]


@dataclass
class Grouping:
    themes: list[Theme]
    other: int


@cache
def stop_words() -> frozenset[str]:
    lines = (DATA / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@cache
def domain_words() -> frozenset[str]:
    lines = (DATA / "police_dict.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0] for line in lines if line.strip() and not line.startswith("#"))


@cache
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _lock:
        tokenizer.initialize()
        tokenizer.load_userdict(str(DATA / "police_dict.txt"))
    return tokenizer


def keywords(text: str) -> set[str]:
    stops = stop_words()
    return {w for w in _tokenizer().lcut(text) if len(w) >= 2 and w not in stops and _WORD_RE.search(w)}


def group(texts: list[str], *, k: int, rng: random.Random | None = None, max_themes: int = MAX_THEMES) -> Grouping:
    rng = rng or random.Random(0)
    docs = [keywords(t) for t in texts]
    remaining = set(range(len(texts)))
    themes: list[Theme] = []
    while remaining and len(themes) < max_themes:
        df = Counter(w for i in remaining for w in docs[i])
        if not df:
            break
        # ties: a police-domain word first, then the longer word
        domain = domain_words()
        word, n = min(df.items(), key=lambda kv: (-kv[1], kv[0] not in domain, -len(kv[0]), kv[0]))
        if n < k:
            break
        members = sorted(i for i in remaining if word in docs[i])
        with_it = Counter(w for i in members for w in docs[i] if w != word)
        related = [w for w, c in sorted(with_it.items(), key=lambda kv: (-kv[1], kv[0]))[:2] if 3 * c >= len(members)]
        distinct = sorted({" ".join(texts[i].split()) for i in members})  # no answer twice
        examples = [_short(t) for t in rng.sample(distinct, min(EXAMPLES, len(distinct)))]
        themes.append(Theme("、".join([word, *related]), [word, *related], len(members), examples))
        remaining.difference_update(members)
    return Grouping(themes, len(remaining))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS] + "…"
