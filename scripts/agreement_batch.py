#!/usr/bin/env python3
"""Agreement between two labellers of the same transcripts, counted as scripts/score_batch.py
counts the tool: (rule, turn) pairs per file, the info rules left out, the first labeller as
reference (a pair only the second labeller gives is a "false" one, a pair only the first gives
a "missed" one). Both annotation sets use the NAME.expected.yaml format (`findings:`,
optional `known_misses:` counted as findings, `unlabelled:` honoured from either side).

    python3 scripts/agreement_batch.py REF_DIR REF_SUFFIX OTHER_DIR OTHER_SUFFIX
    # e.g. held-out/b24 .expected.yaml /tmp/relabel .second.yaml

Prints per-rule counts and the no-info and core micro precision, recall and F1: the recall a
second careful human reaches against the first is the ceiling a tool can be held to on
these labels.
"""
import collections
import glob
import os
import sys

import yaml

# The rule sets are score_batch.py's, so both scripts count the same way.
from score_batch import CORE, INFO  # noqa: E402


def pairs(path):
    doc = yaml.safe_load(open(path)) or {}
    found = doc.get('findings') or []
    found += doc.get('known_misses') or []
    return {(f['rule'], int(f['turn'])) for f in found}, set(doc.get('unlabelled') or [])


def prf(c):
    tp, fp, fn = c['tp'], c['fp'], c['fn']
    p = tp / (tp + fp) if tp + fp else float('nan')
    r = tp / (tp + fn) if tp + fn else float('nan')
    f = 2 * p * r / (p + r) if tp else 0.0
    return p, r, f


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    ref_dir, ref_suf, oth_dir, oth_suf = sys.argv[1:]
    per = collections.defaultdict(collections.Counter)
    diffs = []
    refs = sorted(glob.glob(os.path.join(ref_dir, '*' + ref_suf)))
    n = 0
    for ref in refs:
        name = os.path.basename(ref)[:-len(ref_suf)]
        other = os.path.join(oth_dir, name + oth_suf)
        if not os.path.exists(other):
            continue
        n += 1
        a, ua = pairs(ref)
        b, ub = pairs(other)
        skip = INFO | ua | ub
        a = {p for p in a if p[0] not in skip}
        b = {p for p in b if p[0] not in skip}
        for p in a & b:
            per[p[0]]['tp'] += 1
        for p in sorted(b - a):
            per[p[0]]['fp'] += 1
            diffs.append((name, p[1], p[0], 'second only'))
        for p in sorted(a - b):
            per[p[0]]['fn'] += 1
            diffs.append((name, p[1], p[0], 'first only'))
    if not n:
        sys.exit('no file labelled by both')
    print(f"{n} files labelled by both\n{'rule':28} {'both':>4} {'2nd':>4} {'1st':>4}  P     R     F1")
    for rule in sorted(per):
        p, r, f = prf(per[rule])
        c = per[rule]
        print(f"{rule:28} {c['tp']:4} {c['fp']:4} {c['fn']:4}  {p:.2f}  {r:.2f}  {f:.2f}")
    print('\nDISAGREEMENTS:')
    for d in diffs:
        print(' ', *d)
    for label, keep in (('no-info', lambda r: True), ('core', lambda r: r in CORE)):
        c = collections.Counter()
        for rule in per:
            if keep(rule):
                c += per[rule]
        p, r, f = prf(c)
        print(f"{label}: both {c['tp']} second only {c['fp']} first only {c['fn']} "
              f"P {p:.2f} R {r:.2f} F1 {f:.2f}")


if __name__ == '__main__':
    main()
