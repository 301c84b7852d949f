#!/usr/bin/env python3
"""The AWS plan's generation performance test against a running `amapiano serve`.

  generation_burst.py BASE_URL [TOKEN] [--jobs 100] [--clients 10] [--seconds 30] [--poll]

BASE_URL is like http://127.0.0.1:8080. Without TOKEN it signs up its own user. Each of --clients
concurrent clients submits POST /api/v1/generations {"seconds": 30, "seed": i} and waits for that job to
succeed, then submits its next one, until --jobs jobs are done. Completion is learnt from the WebSocket
/api/v1/events (one connection for the user), or by polling GET /api/v1/jobs/{id} every 100 ms with
--poll (also the fallback when the WebSocket cannot be opened). Latency is request → job finished.

Prints count, failures, throughput (jobs/s), p50/p95/p99 and the plan's goal "p95 < 3 s" as PASS or
MISS, plus one machine-readable line `BURST_JSON {...}`. A benchmark: it fails (exit 1) only on errors
(a job that failed, an unexpected HTTP status), never on timing.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_url")
    p.add_argument("token", nargs="?")
    p.add_argument("--jobs", type=int, default=100)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--poll", action="store_true", help="poll GET /api/v1/jobs/{id} instead of the WebSocket")
    p.add_argument("--timeout", type=float, default=600, help="give up on one job after this many seconds")
    return p.parse_args()


ARGS = parse_args()
URL = urllib.parse.urlsplit(ARGS.base_url)
HOST, PORT = URL.hostname, URL.port or 80


def request(method, path, body=None, token=None, timeout=60):
    headers = {}
    if body is not None:
        body = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return r.status, dict(r.getheaders()), parsed
    finally:
        conn.close()


class Events:
    """One WebSocket on /api/v1/events; wakes the waiter of each job when it finishes."""

    def __init__(self, token):
        self.sock = socket.create_connection((HOST, PORT), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        path = "/api/v1/events?token=" + urllib.parse.quote(token)
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            data += chunk
        head, _, self.buf = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n")[0].decode("latin-1")
        if " 101 " not in status + " ":
            raise ConnectionError(f"handshake answered {status}")
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.finished = {}  # job id -> (monotonic time, status, error)
        self.waiters = {}  # job id -> threading.Event
        self.closed = False
        threading.Thread(target=self._run, daemon=True).start()

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _run(self):
        message = b""
        try:
            while True:
                b0, b1 = self._read(2)
                opcode, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = struct.unpack(">H", self._read(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", self._read(8))[0]
                if b1 & 0x80:
                    self._read(4)  # a server must not mask; tolerate it anyway
                payload = self._read(n)
                if opcode == 0x8:
                    break
                if opcode == 0x9:
                    self._send(0xA, payload)
                    continue
                if opcode in (0x0, 0x1):
                    message += payload
                    if not b0 & 0x80:
                        continue
                    self._on_message(message)
                    message = b""
        except (OSError, ConnectionError):
            pass
        with self.lock:
            self.closed = True
            for ev in self.waiters.values():
                ev.set()

    def _on_message(self, data):
        now = time.monotonic()
        try:
            job = json.loads(data)["job"]
        except (ValueError, KeyError, TypeError):
            return
        if job.get("status") not in ("succeeded", "failed"):
            return
        with self.lock:
            self.finished.setdefault(job["id"], (now, job["status"], job.get("error")))
            ev = self.waiters.get(job["id"])
        if ev:
            ev.set()

    def _send(self, opcode, payload=b""):
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def wait(self, job_id, timeout):
        with self.lock:
            if job_id in self.finished:
                return self.finished[job_id]
            ev = self.waiters.setdefault(job_id, threading.Event())
        ev.wait(timeout)
        with self.lock:
            if job_id in self.finished:
                return self.finished[job_id]
            if self.closed:
                raise ConnectionError("the events WebSocket closed")
        return None

    def close(self):
        try:
            self._send(0x8, struct.pack(">H", 1000))
            self.sock.close()
        except OSError:
            pass


def poll(token, job_id, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, headers, body = request("GET", f"/api/v1/jobs/{job_id}", token=token)
        now = time.monotonic()
        if status == 429:
            time.sleep(float(headers.get("Retry-After", "1") or 1))
            continue
        if status != 200:
            raise RuntimeError(f"GET /api/v1/jobs/{job_id} answered {status}: {body}")
        if body["status"] in ("succeeded", "failed"):
            return now, body["status"], body.get("error")
        time.sleep(0.1)
    return None


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def main():
    token = ARGS.token
    if not token:
        email = f"burst-{os.getpid()}-{int(time.time())}@example.com"
        status, _, body = request("POST", "/api/v1/auth/signup",
                                  {"email": email, "password": "burst password 1", "display_name": "Burst"})
        if status != 201:
            sys.exit(f"signup answered {status}: {body}")
        token = body["token"]

    events, mode = None, "poll"
    if not ARGS.poll:
        try:
            events, mode = Events(token), "websocket"
        except (OSError, ConnectionError) as e:
            print(f"note: no WebSocket ({e}); polling instead", file=sys.stderr)

    latencies, failures, lock = [], [], threading.Lock()
    next_seed = iter(range(ARGS.jobs))

    def client():
        while True:
            with lock:
                seed = next(next_seed, None)
            if seed is None:
                return
            t0 = time.monotonic()
            try:
                status, _, body = request("POST", "/api/v1/generations", {"seconds": ARGS.seconds, "seed": seed},
                                          token=token)
                if status != 202:
                    raise RuntimeError(f"POST /api/v1/generations answered {status}: {body}")
                job_id = body["job"]["id"]
                done = events.wait(job_id, ARGS.timeout) if events else poll(token, job_id, ARGS.timeout)
                if done is None:
                    raise RuntimeError(f"job {job_id} not finished within {ARGS.timeout} s")
                t1, outcome, error = done
                if outcome != "succeeded":
                    raise RuntimeError(f"job {job_id} {outcome}: {error}")
                with lock:
                    latencies.append(t1 - t0)
            except Exception as e:  # noqa: BLE001
                with lock:
                    failures.append(f"seed {seed}: {e}")

    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(ARGS.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    if events:
        events.close()

    lat = sorted(latencies)
    p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
    goal = "PASS" if lat and not failures and p95 < 3.0 else "MISS"
    rows = [("jobs", f"{ARGS.jobs} x {ARGS.seconds:g} s clips, {ARGS.clients} clients, {mode}"),
            ("succeeded", str(len(lat))), ("failures", str(len(failures))),
            ("wall time", f"{wall:.1f} s"), ("throughput", f"{len(lat) / wall:.2f} jobs/s"),
            ("latency p50", f"{p50:.2f} s"), ("latency p95", f"{p95:.2f} s"), ("latency p99", f"{p99:.2f} s"),
            ("latency max", f"{lat[-1]:.2f} s" if lat else "-"), ("goal p95 < 3 s", goal)]
    width = max(len(k) for k, _ in rows)
    print("generation burst (request -> job finished)")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    for f in failures[:10]:
        print(f"  failure: {f}")
    print("BURST_JSON " + json.dumps({"jobs": ARGS.jobs, "succeeded": len(lat), "failures": len(failures),
                                      "wall_s": round(wall, 3), "jobs_per_s": round(len(lat) / wall, 3),
                                      "p50_s": round(p50, 3), "p95_s": round(p95, 3), "p99_s": round(p99, 3),
                                      "goal_p95_lt_3s": goal, "mode": mode}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
