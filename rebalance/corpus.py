#!/usr/bin/env python3
"""A varied corpus for the benchmarks: the real content/ plus N generated articles.

The articles are not copies of one: each has its own title, length (2 to 9 sections), mix of
paragraphs, lists, tables, quotes, code and footnotes, 1 to 4 tags from a pool of 40, one of 6
categories, and links to other articles ({filename}), to pages and to headings. The same seed
gives the same corpus, so figures can be compared between runs.

Usage: .venv/bin/python bench/corpus.py OUTPUT_FOLDER [articles=1000] [seed=1]
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "muscle joint knee shoulder back neck hip ankle pain stiffness strength balance posture "
    "exercise stretch recovery injury tendon ligament movement mobility rehabilitation therapy "
    "physiotherapist patient session assessment treatment needling massage heat ice rest load "
    "running walking desk sleep breathing core glutes hamstring calf spine disc nerve swelling "
    "gentle daily weekly progress goal habit routine warm cool sport office garden stairs"
).split()
PARTS = ("knee", "back", "neck", "hip", "shoulder")
KINDS = ("pain", "exercises", "injury", "recovery", "strength", "mobility", "tips", "care")
TAGS = [f"{part} {kind}" for part in PARTS for kind in KINDS]
CATEGORIES = ["Treatments", "Exercises", "Conditions", "Sport", "Workplace", "Clinic news"]


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng: random.Random, links: list[str]) -> str:
    parts = [sentence(rng) for _ in range(rng.randint(2, 6))]
    if links and rng.random() < 0.4:
        i = rng.randrange(len(parts))
        parts[i] += f" See [{rng.choice(WORDS)} advice]({{filename}}{rng.choice(links)})."
    if rng.random() < 0.2:
        parts[0] = f"**{parts[0]}**"
    return " ".join(parts)


def block(rng: random.Random, links: list[str], n: int) -> str:
    kind = rng.random()
    if kind < 0.55:
        return paragraph(rng, links)
    if kind < 0.7:
        marker = rng.choice(["-", "1."])
        return "\n".join(f"{marker} {sentence(rng, 3, 10)}" for _ in range(rng.randint(3, 7)))
    if kind < 0.78:
        rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 5)} | {rng.randint(5, 30)} s |"
                for _ in range(rng.randint(2, 6))]  # fmt: skip
        return "| Exercise | Sets | Hold |\n|:--|--:|--:|\n" + "\n".join(rows)
    if kind < 0.86:
        return "> " + sentence(rng) + " " + sentence(rng)
    if kind < 0.92:
        return f"{sentence(rng)}[^{n}]\n\n[^{n}]: {sentence(rng, 4, 9)}"
    if kind < 0.96:
        return (
            "[Our clinic]({filename}/pages/about.md) and [contact us]({filename}/pages/contact.md)."
        )
    return "    " + "\n    ".join(f"{w} = {rng.randint(1, 9)}" for w in rng.sample(WORDS, 3))


def article(rng: random.Random, number: int, links: list[str]) -> tuple[str, str]:
    """(file name, text) of one generated article."""
    title = " ".join(rng.sample(WORDS, rng.randint(3, 8))).capitalize() + f" {number}"
    day = date(2024, 1, 1) + timedelta(days=number % 900)
    slug = f"bench-{number}"
    header = [f"Title: {title}", f"Date: {day.isoformat()}", f"Slug: {slug}",
              f"Category: {rng.choice(CATEGORIES)}",
              f"Tags: {', '.join(rng.sample(TAGS, rng.randint(1, 4)))}",
              f"Summary: {sentence(rng, 6, 16)}"]  # fmt: skip
    if rng.random() < 0.3:
        header.insert(2, f"Modified: {(day + timedelta(days=rng.randint(1, 60))).isoformat()}")
    body = [paragraph(rng, links)]
    for section in range(rng.randint(2, 9)):
        body.append(f"## {sentence(rng, 2, 6).rstrip('.?!')} {section}")
        body += [block(rng, links, 10 * section + i + 1) for i in range(rng.randint(1, 5))]
        if rng.random() < 0.15 and section:
            body.append(f"Back to [the first section](#{body[1][3:].lower().replace(' ', '-')}).")
    return f"{day.isoformat()}-{slug}.md", "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n"


def make_corpus(into: Path, articles: int = 1000, seed: int = 1) -> Path:
    """content/ plus `articles` generated articles, in `into` (replaced)."""
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(ROOT / "content", into)
    rng = random.Random(seed)
    names: list[str] = []
    for number in range(articles):
        name, text = article(rng, number, names[-50:])
        (into / "articles" / name).write_text(text, encoding="utf-8")
        names.append(name)
    return into


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    make_corpus(folder, count, int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    print(f"{count} articles (plus the real content) in {folder}")
