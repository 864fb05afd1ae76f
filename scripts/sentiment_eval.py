#!/usr/bin/env python3
"""Does a VADER sentiment score help find complaints? (docs/accuracy.md, issue 9 item 5)

Scores the built-in missing-apology rule on the DEV half of the real labelled set
(corpora/real-labels/labels.yaml, split as src/labels.rs does), then with VADER's compound
score per customer turn used as an extra complaint trigger (below a threshold, where no
pattern fired; the agent's apology looked for in the next three agent turns and the one
before) and as a gate (findings on turns scoring above a threshold dropped). Prints
threshold, tp, fp, fn, precision, recall, F1. Needs `pip install vaderSentiment pyyaml` and
`cargo build --release`.
"""
import json, subprocess, yaml, os, re
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
S=SentimentIntensityAnalyzer()
WT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORP=os.path.join(WT,'..','shared','corpora-real','conversations')
def half(n):
    h=0xcbf29ce484222325
    for b in ('tonecheck-real-labels-1'+n).encode():
        h^=b; h=(h*0x100000001b3)&0xffffffffffffffff
    return 'dev' if h%2==0 else 'test'
lab=yaml.safe_load(open(WT+'/corpora/real-labels/labels.yaml'))
dev=[n for n in lab if half(n)=='dev']  # the dev half only: never tune on test
out=subprocess.run([WT+'/target/release/tonecheck','check','--no-config','--no-default-packs','--rules',WT+'/rules/service-recovery.yaml','-f','json']+[os.path.join(CORP,n) for n in dev],capture_output=True,text=True).stdout
v=json.loads(out)
got={os.path.basename(t['path']):{f['turn'] for f in t['findings'] if f['rule']=='missing-apology'} for t in v['transcripts']}
def turns(n):
    ts=[]
    for l in open(os.path.join(CORP,n)):
        m=re.match(r'^(Customer|Agent):\s?(.*)',l)
        if m: ts.append((m.group(1),m.group(2)))
    return ts
apol=re.compile(r"\b(sorry|apologi[sz]e|apologies)\b",re.I)
for thr in [None,-0.3,-0.5,-0.6,-0.7]:
    tp=fp=fn=0
    for n in dev:
        e=lab[n]; e=e['expect'] if isinstance(e,dict) else e
        exp={l['turn'] for l in e if l['rule']=='missing-apology'}
        g=set(got.get(n,set()))
        if thr is not None and not g:
            ts=turns(n)
            for i,(r,t) in enumerate(ts):
                if r!='Customer': continue
                if S.polarity_scores(t)['compound']<thr:
                    agents=[j for j in range(len(ts)) if ts[j][0]=='Agent']
                    after=[j for j in agents if j>i][:3]; before=[j for j in agents if j<i][-1:]
                    if not after: break
                    if not any(apol.search(ts[j][1]) for j in after+before): g={i}
                    break
        tp+=len(g&exp); fp+=len(g-exp); fn+=len(exp-g)
    P=tp/(tp+fp) if tp+fp else 0; R=tp/(tp+fn)
    print(thr,tp,fp,fn,round(P,3),round(R,3),round(2*P*R/(P+R),3))
print('filter: drop findings on turns with compound above t')
for thr in [0.3,0.5,0.7]:
    tp=fp=fn=0
    for n in dev:
        e=lab[n]; e=e['expect'] if isinstance(e,dict) else e
        exp={l['turn'] for l in e if l['rule']=='missing-apology'}
        ts=turns(n)
        g={i for i in got.get(n,set()) if S.polarity_scores(ts[i][1])['compound']<=thr}
        tp+=len(g&exp); fp+=len(g-exp); fn+=len(exp-g)
    P=tp/(tp+fp) if tp+fp else 0; R=tp/(tp+fn)
    print(thr,tp,fp,fn,round(P,3),round(R,3),round(2*P*R/(P+R),3))
