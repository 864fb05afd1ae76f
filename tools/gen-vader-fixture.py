#!/usr/bin/env python3
"""Write tests/fixtures/vader.jsonl: texts with the compound score of the reference VADER
(the `vaderSentiment` 3.3.2 package), which tests/sentiment.rs checks src/sentiment.rs against
without needing Python.

Usage (from the repository root; needs `pip install vaderSentiment==3.3.2`):
    python3 tools/gen-vader-fixture.py ../shared/corpora-real/conversations

The texts: every 2nd turn of the DEV half of the real conversations (split as src/labels.rs
does; the test half is never read), up to 200, then the example sentences of vaderSentiment's
own demo, which exercise its special cases (idioms, "least", "never so", capitals, emoji).
"""
import json
import os
import re
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SEED = "tonecheck-real-labels-1"
DEMO = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.", "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.", "The book was good.",
    "At least it isn't a horrible book.", "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁", "Not bad at all",
    "Sentiment analysis has never been good.", "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass", "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.", "Without a doubt, an excellent idea.",
    "It was one of the worst movies I've seen, despite good reviews.",
    "Unbelievably bad acting!! Poor direction. VERY poor production.",
    "No problem at all, no worries", "Why??? Why is it still broken???? WHY",
    "I'm not very happy, but ok.", "kind of ok", "That was a kiss of death, yeah right.",
]


def half(name):
    h = 0xCBF29CE484222325
    for b in (SEED + name).encode():
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "dev" if h % 2 == 0 else "test"


def main(folder):
    analyzer = SentimentIntensityAnalyzer()
    texts = []
    n = 0
    for name in sorted(os.listdir(folder)):
        if half(name) != "dev":
            continue
        for line in open(os.path.join(folder, name), encoding="utf-8"):
            m = re.match(r"^(?:Customer|Agent):\s?(.*\S)", line)
            if not m:
                continue
            n += 1
            if n % 2 == 0 and len(texts) < 200:
                texts.append(m.group(1))
    texts += DEMO
    with open("tests/fixtures/vader.jsonl", "w", encoding="utf-8", newline="\n") as out:
        for t in texts:
            c = analyzer.polarity_scores(t)["compound"]
            out.write(json.dumps({"text": t, "compound": c}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
