#!/usr/bin/env python3
"""Scores a folder of annotated transcripts (NAME.txt + NAME.expected.yaml) the way
docs/accuracy.md's batch figures are scored: per file `tonecheck check FILE --no-config
--format json`, findings matched to the annotation on (rule, turn); `known_misses` count as
misses; a rule listed under the file's optional `unlabelled:` key is not scored in that
file (its findings are neither true nor false, none is a miss), as in
tests/corpora_accuracy.rs. Prints per-rule counts, the false and missed findings, and the no-info, core and
missing-apology sums.

    python3 scripts/score_batch.py target/release/tonecheck held-out/bNN
    python3 scripts/score_batch.py --blind target/release/tonecheck held-out/bNN

`--blind` prints the per-rule counts and the sums only, never a file name, turn or matched
text: the form for whoever writes rules and must not learn a blind batch's wordings (the
lead scoring a batch before its fixes, a carry-over measurement).

A batch already moved into corpora/validation/ is scored from a copy of its files, e.g.
`mkdir /tmp/b20 && cp corpora/validation/b20-* /tmp/b20/`.
"""
import collections
import glob
import json
import os
import subprocess
import sys

import yaml

CORE = {'non-apology', 'apology-then-explanation', 'missing-apology', 'missing-thank-you',
        'customer-is-wrong', 'blame-shifting', 'policy-without-alternative',
        'dismissive-language'}
INFO = {'missing-open-question', 'missing-paraphrase', 'customer-sentiment-drop',
        'agent-talks-too-much'}


def ratio(c):
    tp, fp, fn = c['tp'], c['fp'], c['fn']
    p = tp / (tp + fp) if tp + fp else float('nan')
    r = tp / (tp + fn) if tp + fn else float('nan')
    return p, r


def main():
    args = sys.argv[1:]
    blind = '--blind' in args
    args = [a for a in args if a != '--blind']
    if len(args) != 2:
        sys.exit(__doc__)
    binary, folder = args
    per = collections.defaultdict(collections.Counter)
    false, missed = [], []
    files = sorted(glob.glob(os.path.join(folder, '*.expected.yaml')))
    if not files:
        sys.exit(f'{folder}: no *.expected.yaml files')
    for exp_path in files:
        txt = exp_path[:-len('.expected.yaml')] + '.txt'
        exp = yaml.safe_load(open(exp_path)) or {}
        want = {(f['rule'], f['turn']) for f in exp.get('findings') or []}
        known = {(f['rule'], f['turn']) for f in exp.get('known_misses') or []}
        unlabelled = set(exp.get('unlabelled') or [])
        out = subprocess.run([binary, 'check', txt, '--no-config', '--format', 'json'],
                             capture_output=True, text=True)
        doc = json.loads(out.stdout)
        if doc['errors']:
            sys.exit(f'{txt}: {doc["errors"]}')
        got = {}
        for t in doc['transcripts']:
            for f in t['findings']:
                if f['rule'] in unlabelled:
                    continue
                got.setdefault((f['rule'], f['turn']), f.get('match'))
        name = os.path.basename(txt)[:-4]
        for k, match in got.items():
            if k in want:
                per[k[0]]['tp'] += 1
            else:
                per[k[0]]['fp'] += 1
                false.append((name, k[1], k[0], match))
        for k in sorted(want | known):
            if k not in got:
                per[k[0]]['fn'] += 1
                missed.append((name, k[1], k[0]))
    print(f"{len(files)} files\n{'rule':28} {'found':>5} {'tp':>4} {'fp':>4} {'fn':>4}  P     R")
    total = collections.Counter()
    for rule in sorted(per):
        c = per[rule]
        total += c
        p, r = ratio(c)
        print(f"{rule:28} {c['tp'] + c['fp']:5} {c['tp']:4} {c['fp']:4} {c['fn']:4}  {p:.2f}  {r:.2f}")
    p, r = ratio(total)
    print(f"{'ALL':28} {total['tp'] + total['fp']:5} {total['tp']:4} {total['fp']:4} {total['fn']:4}  {p:.2f}  {r:.2f}")
    if not blind:
        print('\nFALSE:')
        for x in false:
            print(' ', *x)
        print('MISSED:')
        for x in missed:
            print(' ', *x)
    for name, keep in (('no-info', lambda r: r not in INFO), ('core', lambda r: r in CORE),
                       ('missing-apology', lambda r: r == 'missing-apology')):
        c = collections.Counter()
        for rule in per:
            if keep(rule):
                c += per[rule]
        p, r = ratio(c)
        print(f"{name}: found {c['tp'] + c['fp']} correct {c['tp']} missed {c['fn']} P {p:.2f} R {r:.2f}")


if __name__ == '__main__':
    main()
