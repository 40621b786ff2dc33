"""The live part of the benchmark suite (issue 22): how soon a committed write reaches a webhook
receiver and a WebSocket subscriber, and what attached consumers cost ingestion.

The pieces, standard library only: a webhook receiver (an HTTP server on loopback that checks
each delivery's HMAC-SHA256 signature and records when each change arrived), a
`graphql-transport-ws` subscriber (a WebSocket client written out here, since the suite takes
no packages), and a probe writer that writes one `mlModel` aspect at a time through
`ingestProposal`, recording when it sent the write and when the answer came. The ingest load
writes features and feature tables only, so the consumers filter on `MLMODEL` and see the
probes alone while the feed under them carries the whole load.

A probe's latency is measured two ways, because the commit happens between the two clocks:
from the write's answer (the commit is before it, so this is a lower bound) and from the moment
the write was sent (an upper bound: it includes the write's own time under load).
"""

import base64
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import struct
import threading
import time

PROBE_PLATFORM = "urn:li:dataPlatform:benchlive"


def probe_urn(run: str, i: int) -> str:
    return f"urn:li:mlModel:({PROBE_PLATFORM},probe_{run}_{i},PROD)"


class Receiver:
    """A webhook receiver on a free loopback port: every POST's signature is checked, and the
    first arrival of each change's URN is recorded (a redelivery keeps the first time)."""

    def __init__(self, secret: str):
        self.secret = secret.encode()
        self.arrivals: dict[str, float] = {}
        self.deliveries = 0
        self.duplicates = 0
        self.bad = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.monotonic()
                want = "sha256=" + hmac.new(outer.secret, body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, self.headers.get("X-Mlcat-Signature") or ""):
                    outer.bad.append("a delivery with a wrong signature")
                else:
                    outer.record(json.loads(body), now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def record(self, payload: dict, now: float) -> None:
        self.deliveries += 1
        for c in payload.get("changes", []):
            if c.get("urn") in self.arrivals:
                self.duplicates += 1
            else:
                self.arrivals[c.get("urn")] = now

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WebSocket:
    """A WebSocket client (RFC 6455) over one TCP connection: text frames out (masked, as a
    client must), text frames in, pings answered."""

    def __init__(self, host: str, port: int, path: str, protocol: str, timeout: float = 30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\n"
                           f"\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the server closed the connection during the upgrade")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"no WebSocket upgrade: {head[:300]!r}")
        self.closed = None

    def _read(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed the socket")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _frame(self, opcode: int, data: bytes) -> None:
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def send(self, message: dict) -> None:
        self._frame(0x1, json.dumps(message).encode())

    def recv(self) -> dict:
        """The next text message as JSON (a fragmented one joined)."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            data = self._read(n)
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode == 0x8:
                code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                self.closed = code
                raise RuntimeError(f"the server closed the socket (code {code}, {data[2:]!r})")
            if opcode in (0x1, 0x0):
                parts.append(data)
                if b0 & 0x80:
                    return json.loads(b"".join(parts))

    def close(self) -> None:
        try:
            self._frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


class Subscriber:
    """`entityChanged(filter: {entityTypes: [MLMODEL]})` over `graphql-transport-ws`, read on a
    thread of its own; records the first arrival of each URN."""

    def __init__(self, base: str):
        host, port = base.split("//", 1)[1].split(":")
        self.ws = WebSocket(host, int(port), "/api/graphql/ws", "graphql-transport-ws")
        self.ws.send({"type": "connection_init", "payload": {}})
        ack = self.ws.recv()
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        self.ws.send({"id": "live", "type": "subscribe", "payload": {
            "query": "subscription { entityChanged(filter: {entityTypes: [MLMODEL]}) "
                     "{ urn aspect kind time } }"}})
        self.ws.sock.settimeout(None)
        self.arrivals: dict[str, float] = {}
        self.errors = []
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while self.running:
            try:
                m = self.ws.recv()
            except (RuntimeError, OSError, ValueError) as e:
                if self.running:
                    self.errors.append(str(e)[:300])
                return
            now = time.monotonic()
            if m.get("type") == "ping":
                self.ws.send({"type": "pong"})
            elif m.get("type") == "next":
                if m["payload"].get("errors"):
                    self.errors.append(json.dumps(m["payload"]["errors"])[:300])
                    continue
                urn = m["payload"]["data"]["entityChanged"]["urn"]
                self.arrivals.setdefault(urn, now)
            elif m.get("type") in ("error", "complete"):
                self.errors.append(json.dumps(m)[:300])

    def stop(self) -> None:
        self.running = False
        self.ws.close()


class Prober:
    """Writes probe `i` (an `mlModelProperties` aspect of a new `mlModel`) through
    `ingestProposal` on a kept-alive connection, and records when it was sent and answered."""

    def __init__(self, base: str, run: str):
        host, port = base.split("//", 1)[1].split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.run = run
        self.sent: dict[str, float] = {}
        self.answered: dict[str, float] = {}
        self.n = 0

    def write(self) -> str:
        urn = probe_urn(self.run, self.n)
        self.n += 1
        value = json.dumps({"description": "live probe",
                            "customProperties": {"sentAt": f"{time.time():.6f}"}})
        body = json.dumps({"proposal": {
            "entityType": "mlModel", "entityUrn": urn, "changeType": "UPSERT",
            "aspectName": "mlModelProperties",
            "aspect": {"value": value, "contentType": "application/json"},
            "systemMetadata": {"lastObserved": 0, "runId": f"live-{self.run}"}}, "async": "false"})
        self.sent[urn] = time.monotonic()
        self.conn.request("POST", "/aspects?action=ingestProposal", body=body,
                          headers={"Content-Type": "application/json"})
        response = self.conn.getresponse()
        raw = response.read()
        self.answered[urn] = time.monotonic()
        if response.status != 200:
            raise RuntimeError(f"ingestProposal: HTTP {response.status} {raw[:300]!r}")
        return urn


def pct(xs: list[float], q: float):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 1) if xs else None


def latencies(urns: list[str], prober, arrivals: dict[str, float]) -> dict:
    """Each probe's arrival after its answer and after its sending, in ms: p50, p99, max,
    and how many never arrived."""
    after_answer = [(arrivals[u] - prober.answered[u]) * 1000 for u in urns if u in arrivals]
    after_send = [(arrivals[u] - prober.sent[u]) * 1000 for u in urns if u in arrivals]
    return {"probes": len(urns), "missing": sum(1 for u in urns if u not in arrivals),
            "from_answer_p50_ms": pct(after_answer, 0.5),
            "from_answer_p99_ms": pct(after_answer, 0.99),
            "from_answer_max_ms": round(max(after_answer), 1) if after_answer else None,
            "from_send_p50_ms": pct(after_send, 0.5),
            "from_send_p99_ms": pct(after_send, 0.99)}
