# Writes a variant tree OUT/rules/ with the structural complaint cue added to `&complaint`
# (mode plus) or replacing its enumerated patterns (mode alone), for
# `cargo run --release --example dev_misses -- missing-apology --fold A --tree OUT`.
# Usage: python3 examples/complaint_cue/mk_variant.py plus|alone OUT
import sys,os,shutil
mode,out=sys.argv[1],sys.argv[2]
import pathlib; here=pathlib.Path(__file__).resolve().parent; src=str(here.parent.parent/'rules')
if os.path.exists(out): shutil.rmtree(out)
shutil.copytree(src,out+'/rules')
p=out+'/rules/service-recovery.yaml'
L=open(p).read().split('\n')
cls=open(str(here/'classes.yaml')).read().rstrip('\n').split('\n')
alt=open(str(here/'alt.yaml')).read().rstrip('\n').split('\n')
# insert classes after 'classes:' line
ci=L.index('classes:')
# find end of complaint any_of: line '    expect:' after 'when: &complaint'
wi=[i for i,l in enumerate(L) if 'when: &complaint' in l][0]
ei=[i for i in range(wi,len(L)) if L[i]=='    expect:'][0]
ai=[i for i in range(wi,ei) if L[i].strip()=='any_of:'][0]
if mode=='plus':
    L=L[:ei]+alt+L[ei:]
elif mode=='alone':
    # keep the any_of's first alt except anchor definition: keep strong alt but with no patterns? simplest:
    # replace patterns of both alternatives with a never-matching pattern, keep anchors
    body=L[ai+1:ei]
    new=[]; skip=False
    for l in body:
        s=l.strip()
        if l.startswith('          - "') or l.startswith('            - "') and not skip:
            pass
        new.append(l)
    # crude: drop every pattern line (strings) directly under "- patterns:" blocks
    out_lines=[];inpat=False
    for l in body:
        if l.startswith('        - patterns:'):
            out_lines.append(l); out_lines.append('            - "zzqqneverword"'); inpat=True; continue
        if inpat:
            if l.startswith('            ') and (l.strip().startswith('- "') or l.strip().startswith('#')):
                continue
            inpat=False
        out_lines.append(l)
    L=L[:ai+1]+out_lines+alt+L[ei:]
L=L[:ci+1]+cls+L[ci+1:]
open(p,'w').write('\n'.join(L))
