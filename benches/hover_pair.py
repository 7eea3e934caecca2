#!/usr/bin/env python3
"""Paired A/B of hover latency: two `scholion` builds set up alike side by side, hovers
alternating between them, so that the machine's noise (a shared machine's other jobs) falls
on both alike. Separate runs of each build on this project's machine differed by more than
the builds did.

    cargo run --release --example lsp_bench -- --files 323 --dir /tmp/benchreal --generate-only
    python3 benches/hover_pair.py /tmp/benchreal OLD/scholion NEW/scholion

Each server indexes DIR/workspace and opens its 1 MB file; then both open and close seven
1 MB documents from outside (DIR/extra/big_1mb.txt), as `lsp_bench` does before its hovers,
and answer N hovers (2,000 by default) on `MIVD` each, in alternating order. Environment:
N, REOPENS (7), POSTWAIT (seconds between the last close and the first hover, 0). Prints
p50, p90 and p99 per build, from just before a request is written until the answer's header
has been read.
"""
import subprocess, json, sys, time, re, os, select
def frame(obj):
    b = json.dumps(obj).encode(); return b'Content-Length: %d\r\n\r\n' % len(b) + b
def read_msg(p):
    hdr = b''
    while not hdr.endswith(b'\r\n\r\n'):
        c = p.stdout.read(1)
        if not c: return None, None
        hdr += c
    t = time.perf_counter()
    ln = int(re.search(rb'Content-Length: (\d+)', hdr).group(1)); return t, json.loads(p.stdout.read(ln))
if len(sys.argv) != 4:
    sys.exit(__doc__)
corpus = sys.argv[1]
root = corpus + '/workspace'; path = root + '/big_1mb.txt'
text = open(path, encoding='utf-8').read()
big = open(corpus + '/extra/big_1mb.txt', encoding='utf-8').read()
targets = []
for i, l in enumerate(text.split('\n')):
    for m in re.finditer(r'\bMIVD\b', l):
        targets.append((i, len(l[:m.start()].encode('utf-16-le'))//2 + 1))
targets = targets[:300]
uri = 'file://' + path
def start(exe):
    p = subprocess.Popen([exe, 'lsp'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(frame({'jsonrpc':'2.0','id':1,'method':'initialize','params':{'processId':None,'rootUri':'file://'+root,'workspaceFolders':[{'uri':'file://'+root,'name':'ws'}],'capabilities':{'window':{'workDoneProgress':True}}}})); p.stdin.flush()
    read_msg(p)
    p.stdin.write(frame({'jsonrpc':'2.0','method':'initialized','params':{}})); p.stdin.flush()
    while True:
        t, m = read_msg(p)
        if m.get('method') == '$/progress' and m['params']['value'].get('kind') == 'end': break
        if 'id' in m and 'method' in m:
            p.stdin.write(frame({'jsonrpc':'2.0','id':m['id'],'result':None})); p.stdin.flush()
    p.stdin.write(frame({'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':{'uri':uri,'languageId':'plaintext','version':1,'text':text}}})); p.stdin.flush()
    return p
def drain(p, sec):
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([p.stdout], [], [], max(0, end - time.time()))
        if not r: break
        read_msg(p)
exes = sys.argv[2:4]
ps = [start(e) for e in exes]   # scans one after the other
for p in ps: drain(p, 2.0)
reopens = int(os.environ.get('REOPENS', '7'))
for k in range(reopens):
    u = 'file://%s/extra/again_%d.txt' % (corpus, k)
    for p in ps:
        p.stdin.write(frame({'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':{'uri':u,'languageId':'plaintext','version':1,'text':big}}})); p.stdin.flush()
    for p in ps: drain(p, 0.4)
    for p in ps:
        p.stdin.write(frame({'jsonrpc':'2.0','method':'textDocument/didClose','params':{'textDocument':{'uri':u}}})); p.stdin.flush()
time.sleep(float(os.environ.get('POSTWAIT', '0')))
lat = [[], []]; rid = 10
for k in range(int(os.environ.get('N', '2000'))):
    line, ch = targets[k % len(targets)]
    order = (0, 1) if k % 2 == 0 else (1, 0)
    for j in order:
        p = ps[j]; rid += 1
        t0 = time.perf_counter()
        p.stdin.write(frame({'jsonrpc':'2.0','id':rid,'method':'textDocument/hover','params':{'textDocument':{'uri':uri},'position':{'line':line,'character':ch}}})); p.stdin.flush()
        while True:
            t, m = read_msg(p)
            if m.get('id') == rid and 'method' not in m: break
        lat[j].append((t - t0) * 1000)
for p in ps: p.kill(); p.wait()
for j, e in enumerate(exes):
    l = sorted(lat[j]); n = len(l)
    print('%-40s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms' % (e, l[n // 2], l[int(n * 0.9)], l[int(n * 0.99)]), flush=True)
