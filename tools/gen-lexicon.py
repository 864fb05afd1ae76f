#!/usr/bin/env python3
"""Generate tonecheck's embedded lexicon (data/inflections.txt, data/spellings.txt) from the
lemminflect wheel on PyPI, whose look-up tables are derived from the NLM SPECIALIST Lexicon.

Usage:
    pip download --no-deps lemminflect==0.2.3 -d /tmp/lemminflect
    python3 tools/gen-lexicon.py /tmp/lemminflect/lemminflect-0.2.3-py3-none-any.whl

The wheel is read as a zip archive; nothing is installed or imported from it.

inflections.txt: one line per lemma, sorted by byte order, `lemma form form ...`: every surface
form of the lemma across parts of speech (noun plural, verb past / past participle / present
participle / 3rd person singular, adjective and adverb comparative / superlative), the lemma
first. Lemmas whose only form is the lemma itself are left out (a look-up of an unknown word
returns just the word, which is the same answer).

spellings.txt: one line per variant spelling, sorted, `variant canonical`: British (or other
non-American) spellings mapped to the American spelling. Derived from the same lexicon: a pair
is kept only when both spellings are lemmas of the lexicon with the same part of speech, and
each inflected form is mapped to the form in the same slot of the American lemma.
"""
import gzip
import hashlib
import re
import sys
import zipfile

WHEEL_VERSION = "0.2.3"
# sha256 of lemminflect-0.2.3-py3-none-any.whl as published on PyPI: the data files are a
# function of exactly this input.
WHEEL_SHA256 = "1cf470efa783733ca5654cc1a6ee1de774e59031e61bf6210467625e84a8cf1c"
WORD = re.compile(r"^[a-z]+$")

# Slots of infl_lu.csv per category (after `lemma,category,`), as in lemminflect's
# InflectionLUCodec: noun NNS; adj/adv comparative, superlative; verb VBD, VBN, VBG, VBZ.
SLOTS = {"noun": ["NNS"], "adj": ["JJR", "JJS"], "adv": ["RBR", "RBS"],
         "verb": ["VBD", "VBN", "VBG", "VBZ"]}
# Penn tag -> category, for infl_overrides.csv.
TAG_CAT = {"NNS": "noun", "JJR": "adj", "JJS": "adj", "RBR": "adv", "RBS": "adv",
           "VBD": "verb", "VBN": "verb", "VBG": "verb", "VBZ": "verb", "VBP": "verb"}

# lemminflect hard-codes the auxiliary and modal verbs on load (InflectionLUCodec.updateForAuxMod),
# replacing whatever the look-up table has for those lemmas: the table's entries are the
# homographs (a can / cans / canned, a will / willing, a must / musts), which a rule that
# writes `can~` or `will~` does not mean. The same replacement, as data. Not applied to
# "dare", which lemminflect reduces to the bare form: the table's dared/daring/dares are the
# forms of the same verb.
AUX_MODAL = {
    "be": {"VBD": ["was", "were"], "VBN": ["been"], "VBG": ["being"], "VBP": ["am", "are"],
           "VBZ": ["is"]},
    "can": {"VBD": ["could"]},
    "may": {"VBD": ["might"]},
    "will": {"VBD": ["would"]},
    "shall": {"VBD": ["should"]},
    "must": {},
    "ought": {},
}


def read_wheel(path):
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{path}: sha256 {digest}, expected {WHEEL_SHA256} (lemminflect {WHEEL_VERSION})")
    with zipfile.ZipFile(path) as whl:
        def text(name):
            data = whl.read("lemminflect/resources/" + name)
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            return data.decode("utf-8")
        licence = whl.read(f"lemminflect-{WHEEL_VERSION}.dist-info/LICENSE").decode("utf-8")
        return text("infl_lu.csv.gz"), text("infl_overrides.csv"), licence


def load(infl_csv, overrides_csv):
    """{lemma: {category: {slot: [spelling, ...]}}} for lower-case alphabetic lemmas."""
    table = {}
    for line in infl_csv.splitlines():
        parts = line.strip().split(",")
        lemma, cat, forms = parts[0], parts[1], parts[2:]
        if not WORD.match(lemma) or cat not in SLOTS:
            continue
        entry = table.setdefault(lemma, {}).setdefault(cat, {})
        for slot, spellings in zip(SLOTS[cat], forms):
            kept = [s for s in spellings.split("/") if WORD.match(s)]
            if kept:
                entry.setdefault(slot, []).extend(s for s in kept if s not in entry.get(slot, []))
    for line in overrides_csv.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, tag, form = line.strip().split(",")
        if WORD.match(lemma) and WORD.match(form) and lemma in table:
            slots = table[lemma].setdefault(TAG_CAT[tag], {}).setdefault(tag, [])
            if form not in slots:
                slots.append(form)
    for lemma, slots in AUX_MODAL.items():
        table[lemma] = {"verb": {slot: list(forms) for slot, forms in slots.items()}}
    return table


def all_forms(lemma, cats):
    out = [lemma]
    for cat in ("verb", "noun", "adj", "adv"):
        for slot in sorted(cats.get(cat, {}), key=lambda s: (SLOTS[cat] + ["VBP"]).index(s)):
            out.extend(f for f in cats[cat][slot] if f not in out)
    return out


# British -> American spelling patterns, applied to whole lemmas. Each yields candidate
# American spellings; a candidate counts only if it is a lemma of the lexicon in the same
# part of speech.
def sub_each(word, old, new, before=r"", after=r""):
    for m in re.finditer(f"(?<={before}){re.escape(old)}(?={after})" if before else
                         f"{re.escape(old)}(?={after})", word):
        yield word[:m.start()] + new + word[m.end():]


PATTERNS = [
    # realise -> realize, organisation -> organization, analyse -> analyze
    lambda w: sub_each(w, "is", "iz", after="(e|ed|es|ing|er|ers|ation|ations|able|ational)"),
    lambda w: sub_each(w, "ys", "yz", after="(e|ed|es|ing|er|ers)"),
    # colour -> color, behaviour -> behavior, behavioural -> behavioral
    lambda w: sub_each(w, "our", "or", before="[a-z]{2}"),
    # centre -> center, fibre -> fiber, meagre -> meager
    lambda w: sub_each(w, "re", "er", before="[tbgv]", after="$|d$|s$"),
    # traveller -> traveler, counsellor -> counselor (verb forms: see spelling_pairs)
    lambda w: sub_each(w, "ll", "l", after="(er|ers|or|ors)$"),
    # panelling -> paneling, gruelling -> grueling (not filling -> filing)
    lambda w: sub_each(w, "ll", "l", before="[a-z]{2}[aei]", after="(ing|ings)$"),
    # defence -> defense, licence -> license
    lambda w: sub_each(w, "ence", "ense", after="$"),
    # catalogue -> catalog, analogue -> analog
    lambda w: sub_each(w, "ogue", "og", after="$"),
    # judgement -> judgment, acknowledgement -> acknowledgment
    lambda w: sub_each(w, "dgement", "dgment"),
    # anaemia -> anemia, oestrogen -> estrogen, manoeuvre -> maneuvre (then -> maneuver)
    lambda w: sub_each(w, "ae", "e", before="[a-z]", after="[a-z]"),
    lambda w: sub_each(w, "oe", "e", before="[a-z]", after="[a-z]"),
    # ageing -> aging
    lambda w: sub_each(w, "eing", "ing", before="g", after="$"),
    # enrol -> enroll, fulfilment -> fulfillment, instalment -> installment
    lambda w: sub_each(w, "l", "ll", before="[a-z]{2}[aeiou]", after="$|s$|ment$|ments$"),
    # programme -> program, kilogramme -> kilogram (nouns only: the lexicon's verb
    # "program" has "programed", which is not the usual American spelling)
    (lambda w: sub_each(w, "mme", "m", after="$|s$"), {"noun"}),
    # cheque -> check
    lambda w: sub_each(w, "que", "ck", after="$|s$"),
    # mould -> mold, smoulder -> smolder, moult -> molt
    lambda w: sub_each(w, "ou", "o", after="l[dt]"),
    # practise -> practice (verbs: British English spells the verb with -s-)
    (lambda w: sub_each(w, "ise", "ice", after="$"), {"verb"}),
]
PATTERNS = [p if isinstance(p, tuple) else (p, None) for p in PATTERNS]

# Pairs the patterns find in the lexicon that are not British/American spelling variants: the
# "American" side is a different word (prise/prize, canoe/cane, poet/pet), an archaism, or the
# British form is also the usual American one (surprise, advertise, dialogue; the lexicon lists
# rare -ize / -og spellings for those). A British word containing one of these stems is skipped.
NOT_VARIANT_STEMS = (
    # -ise words that American English also spells -ise
    "advertis", "advis", "apprais", "apprise", "chastis", "circumcis", "compris", "compromis",
    "despis", "devis", "excis", "disguis", "enfranchis", "enterpris", "exercis", "exorcis", "expertis",
    "franchis", "improvis", "incis", "merchandis", "premis", "revis", "supervis", "surmis",
    "surpris", "televis", "prise", "prised", "prises", "prising",
    # -ogue words whose -og spelling is rare in American English (catalog, analog are kept)
    "dialogu", "monologu", "prologu", "epilogu", "demagogu", "synagogu",
    # different words
    "aloe", "canoe", "poet", "timbre", "umbre", "could", "would", "should", "boulder",
    "clique", "cliqu", "pique", "piqu", "brimful", "mortis",
)
# Verbs whose final syllable is stressed, so American English doubles the -l- too
# (controlled, corralled) although the lexicon also lists a single -l- spelling.
DOUBLE_L_VERBS = {"control", "corral", "protocol"}


def excluded(word):
    return any(stem in word for stem in NOT_VARIANT_STEMS)


def spelling_pairs(table):
    pairs = {}

    def transforms(word, cat=None, depth=2):
        """Spellings reachable from `word` by up to `depth` patterns allowed for `cat`."""
        seen = set()
        frontier = {word}
        for _ in range(depth):
            nxt = set()
            for w in frontier:
                for p, cats in PATTERNS:
                    if cats is not None and cat not in cats:
                        continue
                    for c in p(w):
                        if c not in seen and c != word:
                            seen.add(c)
                            nxt.add(c)
            frontier = nxt
        return seen

    for brit, bcats in table.items():
        if excluded(brit):
            continue
        for cat in sorted(bcats):
            for amer in sorted(transforms(brit, cat)):
                acats = table.get(amer)
                if not acats or cat not in acats:
                    continue
                pairs.setdefault(brit, amer)
                for slot, bforms in bcats[cat].items():
                    aforms = acats[cat].get(slot, [])
                    if not aforms:
                        continue
                    for i, f in enumerate(bforms):
                        if f in aforms or excluded(f):
                            continue
                        # The same pattern applied to the form (colours -> colors); failing
                        # that, the form in the same position when both slots line up
                        # (licenced -> licensed).
                        hits = [c for c in sorted(transforms(f, cat)) if c in aforms]
                        if hits:
                            pairs.setdefault(f, hits[0])
                        elif len(aforms) == len(bforms):
                            pairs.setdefault(f, aforms[i])
    # Doubled -ll- in an inflected slot that also lists the single -l- spelling
    # (cancelled / canceled, travelling / traveling): the single -l- is the American one.
    for lemma, cats in table.items():
        if lemma in DOUBLE_L_VERBS:
            continue
        for cat, slots in cats.items():
            for forms in slots.values():
                for f in forms:
                    m = re.match(r"^(.*[aeiou])ll(ed|ing)$", f)
                    if m and m.group(1) + "l" + m.group(2) in forms:
                        pairs.setdefault(f, m.group(1) + "l" + m.group(2))
    # A canonical spelling is final: follow chains (manoeuvre -> maneuvre -> maneuver).
    def final(word, hops=0):
        return final(pairs[word], hops + 1) if word in pairs and hops < 4 else word
    resolved = {b: final(a) for b, a in pairs.items()}
    return {b: a for b, a in resolved.items() if a != b and a not in pairs}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    infl_csv, overrides_csv, licence = read_wheel(sys.argv[1])
    table = load(infl_csv, overrides_csv)
    lines = []
    for lemma in sorted(table):
        forms = all_forms(lemma, table[lemma])
        if len(forms) > 1:
            lines.append(" ".join(forms))
    with open("data/inflections.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    pairs = spelling_pairs(table)
    with open("data/spellings.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(f"{b} {pairs[b]}\n" for b in sorted(pairs)))
    with open("data/LICENSE.lemminflect", "w", encoding="utf-8", newline="\n") as f:
        f.write(licence)
    print(f"{len(lines)} lemmas, {len(pairs)} spelling variants", file=sys.stderr)


if __name__ == "__main__":
    main()
