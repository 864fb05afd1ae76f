#!/usr/bin/env python3
"""Generate tonecheck's embedded sentiment lexicon (data/vader_lexicon.txt,
data/vader_emoji.txt, data/LICENSE.vaderSentiment) from the vaderSentiment wheel on PyPI.

Usage:
    pip download --no-deps vaderSentiment==3.3.2 -d /tmp/vader
    python3 tools/gen-vader.py /tmp/vader/vaderSentiment-3.3.2-py2.py3-none-any.whl

The wheel is read as a zip archive; nothing is installed or imported from it.

vader_lexicon.txt: `token<TAB>valence`, one line per token, sorted by byte order: the mean
rating column of vaderSentiment/vader_lexicon.txt (the standard deviation and the ten raw
ratings are dropped). Where the file repeats a token, the later line wins, as in
SentimentIntensityAnalyzer.make_lex_dict.

vader_emoji.txt: `emoji<TAB>description`, sorted: the entries of emoji_utf8_lexicon.txt whose
emoji is one code point. polarity_scores looks emojis up one code point at a time, so the
longer entries (flags, skin tones, joined sequences) can never match and are left out.
"""
import hashlib
import sys
import zipfile

WHEEL_VERSION = "3.3.2"
# sha256 of vaderSentiment-3.3.2-py2.py3-none-any.whl as published on PyPI.
WHEEL_SHA256 = "3bf1d243b98b1afad575b9f22bc2cb1e212b94ff89ca74f8a23a588d024ea311"


def main(path):
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256} (vaderSentiment {WHEEL_VERSION})")
    with zipfile.ZipFile(path) as whl:
        lexicon = whl.read("vaderSentiment/vader_lexicon.txt").decode("utf-8")
        emoji = whl.read("vaderSentiment/emoji_utf8_lexicon.txt").decode("utf-8")
        licence = whl.read(f"vaderSentiment-{WHEEL_VERSION}.dist-info/LICENSE.txt").decode("utf-8")

    # The same parsing as make_lex_dict / make_emoji_dict.
    lex = {}
    for line in lexicon.rstrip("\n").split("\n"):
        if not line:
            continue
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    emo = {}
    for line in emoji.rstrip("\n").split("\n"):
        e, description = line.strip().split("\t")[0:2]
        emo[e] = description

    def sort_key(k):
        return k.encode("utf-8")

    with open("data/vader_lexicon.txt", "w", encoding="utf-8", newline="\n") as out:
        for word in sorted(lex, key=sort_key):
            assert "\t" not in word and "\n" not in word, word
            out.write(f"{word}\t{lex[word]!r}\n")
    with open("data/vader_emoji.txt", "w", encoding="utf-8", newline="\n") as out:
        for e in sorted((e for e in emo if len(e) == 1), key=sort_key):
            out.write(f"{e}\t{emo[e]}\n")
    with open("data/LICENSE.vaderSentiment", "w", encoding="utf-8", newline="\n") as out:
        out.write(licence.rstrip("\n") + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
