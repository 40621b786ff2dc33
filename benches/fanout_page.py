"""What a DataHub-shaped feature page costs on a catalog whose feature tables all hold the same
features: peak resident memory of the server, the answer's size and time.

    python3 benches/fanout_page.py TABLES FEATURES [BINARY] [SERVER FLAGS...]

Starts BINARY (default target/debug/mlcat) on a fresh SQLite catalog, ingests TABLES feature
tables that each hold the same FEATURES features, and sends the feature page of
tests/api/datahub_ui/ (with the fragments it spreads) for one feature. The server runs with
its defaults and SERVER FLAGS (e.g. --max-query-reads 1000000 to see the page run
unbounded). Prints the answer's size, time and errors, the loads the request asked for (the
request log's `reads`) and the server's peak resident memory.
"""
import urllib.error, json, os, re, socket, subprocess, sys, time, urllib.request
T, F = int(sys.argv[1]), int(sys.argv[2])
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[3] if len(sys.argv) > 3 else f"{root}/target/debug/mlcat"
flags = sys.argv[4:]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
import tempfile
work = tempfile.mkdtemp(prefix="mlcat-fanout-")
log = open(f"{work}/server.log", "w")
srv = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{work}/c.db?mode=rwc"] + flags, stdout=log, stderr=log)
base = f"http://127.0.0.1:{port}"
for _ in range(100):
    try: urllib.request.urlopen(base + "/health"); break
    except Exception: time.sleep(0.1)
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    t = time.time(); r = urllib.request.urlopen(req, timeout=120); b = r.read(); return b, time.time() - t
feat = lambda i: f"urn:li:mlFeature:(fan,f{i})"
table = lambda t: f"urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t{t})"
def prop(urn, et, name, value):
    return {"entityType": et, "entityUrn": urn, "changeType": "UPSERT", "aspectName": name, "aspect": {"value": json.dumps(value), "contentType": "application/json"}}
ps = [prop(feat(i), "mlFeature", "mlFeatureProperties", {"dataType": "CONTINUOUS"}) for i in range(F)]
ps += [prop(table(t), "mlFeatureTable", "mlFeatureTableProperties", {"mlFeatures": [feat(i) for i in range(F)]}) for t in range(T)]
for k in range(0, len(ps), 100):
    post("/aspects?action=ingestProposalBatch", {"proposals": ps[k:k+100]})
docs = f"{root}/tests/api/datahub_ui"
frags = open(f"{docs}/fragments.graphql").read()
defs = {}
for m in re.finditer(r"fragment (\w+) on \w+ \{", frags):
    depth, i = 0, m.end() - 1
    while True:
        if frags[i] == "{": depth += 1
        elif frags[i] == "}":
            depth -= 1
            if depth == 0: break
        i += 1
    defs[m.group(1)] = frags[m.start():i + 1]
page = open(f"{docs}/feature.graphql").read()
need, todo = set(), re.findall(r"\.\.\.(\w+)", page)
while todo:
    n = todo.pop()
    if n in need or n not in defs: continue
    need.add(n); todo += re.findall(r"\.\.\.(\w+)", defs[n])
doc = page + "\n" + "\n".join(defs[n] for n in need)
def hwm():
    for l in open(f"/proc/{srv.pid}/status"):
        if l.startswith("VmHWM"): return int(l.split()[1]) // 1024
print("before query: peak MB", hwm())
t0 = time.time()
try:
    b, dt = post("/api/graphql", {"query": doc, "variables": {"urn": feat(0)}})
except urllib.error.HTTPError as e:
    b, dt = e.read(), time.time() - t0
ans = json.loads(b) if b else {}
time.sleep(0.3)
reads = [l for l in open(f"{work}/server.log") if "/api/graphql" in l and "reads=" in l]
reads = re.search(r"reads=(\d+)", reads[-1]).group(1) if reads else "?"
print(f"answer {len(b)/1e6:.1f} MB in {dt:.1f} s; reads {reads}; errors: {str(ans.get('errors'))[:300]}; peak MB {hwm()}")
srv.kill()
subprocess.run(["rm", "-rf", work])
