#!/usr/bin/env python3
"""The HTTP service end to end: `amapiano serve` started for real, every route of the API exercised.

  service_api.py AMAPIANO_BIN [TEST_NAME_SUBSTRING ...]

Starts `AMAPIANO_BIN serve --host 127.0.0.1 --port 0 --data-dir <temp> --workers 2 --log-level info`,
learns the port from the "listening" log line and keeps every stderr line (the JSON request and job logs
are asserted too). Test audio is rendered with `AMAPIANO_BIN generate`. Covers accounts (signup, login,
logout, me, cookies, failure limits), request validation (400/415/422), generation with several formats,
stems and MIDI, signed asset URLs (ranges, tampering, expiry), track pagination and deletion, user
isolation, analysis/validation uploads (raw and multipart, corrupt, too large, truncated), routing errors,
concurrency, the WebSocket of job events, health/readiness/metrics/OpenAPI, request ids and logs; and the
crash tests, each with its own server and data dir: kill -9 during a long job and restart, SIGTERM with a
drain deadline and restart, SIGTERM closing a WebSocket with 1001.

Standard library only (Debian's /usr/bin/python3). Prints PASS/FAIL per test and "N passed, N failed";
exits 1 on any failure. Extra arguments run only the tests whose names contain one of them.
AMAPIANO_KEEP_TEMP=1 keeps the data dirs and prints where they are.

AMAPIANO_TEST_BACKEND=postgres-s3 runs the same suite on the production stores: a throwaway PostgreSQL
cluster and an S3-compatible server that checks signatures (tests/integration/backends.py; needs
python3-psycopg2 and python3-botocore), one database and one key prefix per server data dir. The
default, sqlite, uses the embedded stores.
"""
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

if len(sys.argv) < 2:
    sys.exit(__doc__)
BIN = os.path.realpath(sys.argv[1])
ONLY = sys.argv[2:]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KEEP = os.environ.get("AMAPIANO_KEEP_TEMP") == "1"
WORK = tempfile.mkdtemp(prefix="amapiano-service-")
TEST_TIMEOUT_S = 240  # per test, so that a hang fails one test instead of the suite
BACKEND = os.environ.get("AMAPIANO_TEST_BACKEND", "sqlite")
STORES = []  # [backends.ProductionStores] when BACKEND is postgres-s3

# ------------------------------------------------------------------------------------------------------
# Small helpers


class Failure(AssertionError):
    pass


def check(ok, message):
    if not ok:
        raise Failure(message)


def check_eq(got, want, what):
    if got != want:
        raise Failure(f"{what}: expected {want!r}, got {got!r}")


_counter = [0]
_counter_lock = threading.Lock()


def unique(prefix):
    with _counter_lock:
        _counter[0] += 1
        return f"{prefix}{_counter[0]}-{os.getpid()}"


class Response:
    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def header_all(self, name):
        return self.headers.get_all(name) or []

    @property
    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except Exception as e:  # noqa: BLE001
            raise Failure(f"response {self.status} is not JSON ({e}): {self.body[:300]!r}")

    def error_code(self):
        try:
            return json.loads(self.body.decode("utf-8"))["error"]["code"]
        except Exception:  # noqa: BLE001
            return None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def expect(r, status, code=None, what=""):
    """Asserts the status (and for errors the JSON error shape and code)."""
    if r.status != status:
        raise Failure(f"{what}: expected {status}{' ' + code if code else ''}, got {r.status}: {r.body[:400]!r}")
    if code is not None:
        body = r.json
        check(isinstance(body, dict) and isinstance(body.get("error"), dict), f"{what}: error body {body!r}")
        check_eq(body["error"].get("code"), code, f"{what}: error.code")
        check(isinstance(body["error"].get("message"), str) and body["error"]["message"],
              f"{what}: error.message empty: {body!r}")
    return r


# ------------------------------------------------------------------------------------------------------
# The server under test


class Server:
    """One `amapiano serve` process with its own data dir (or a given one, for restarts; or shared
    with an `amapiano worker`, command="worker", which has no port and logs worker_started)."""

    def __init__(self, *extra, data_dir=None, workers=2, name="server", command="serve", env=None):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix=f"{name}-", dir=WORK)
        self.command = command
        http = ["--host", "127.0.0.1", "--port", "0"] if command == "serve" else []
        self.cmd = [BIN, command, *http, "--data-dir", self.data_dir,
                    "--workers", str(workers), "--log-level", "info", *extra]
        self.lines = []  # raw stderr lines
        self.events = []  # parsed JSON objects (None for a line that is not JSON)
        self.lock = threading.Lock()
        self.port = None
        self.listening = threading.Event()
        # On the production stores, a data dir stands for its own database and key prefix (a restart
        # with the same data dir finds its data again).
        self.store_name = os.path.basename(self.data_dir)
        extra_env = env
        env = dict(os.environ)
        if STORES:
            env.update(STORES[0].service_env(self.store_name))
        env.update(extra_env or {})
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env)
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()
        if not self.listening.wait(30) or self.port is None:
            self.kill()
            raise Failure(f"no 'listening' log line within 30 s from {' '.join(self.cmd)}; stderr:\n"
                          + "\n".join(self.lines[-30:]))

    def _drain(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            with self.lock:
                self.lines.append(line)
                self.events.append(obj)
            if isinstance(obj, dict) and obj.get("event") == "listening" and self.port is None:
                self.port = int(obj["port"])
                self.listening.set()
            if isinstance(obj, dict) and obj.get("event") == "worker_started":
                self.port = 0
                self.listening.set()
        self.listening.set()

    def logs(self, event=None):
        with self.lock:
            objs = [e for e in self.events if isinstance(e, dict)]
        return [e for e in objs if event is None or e.get("event") == event]

    def wait_log(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.logs():
                if predicate(e):
                    return e
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    # --- HTTP ---
    def request(self, method, path, body=None, headers=None, token=None, cookie=None, json_body=None,
                timeout=60):
        hdrs = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if cookie is not None:
            hdrs["Cookie"] = cookie
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError) as e:
                if conn.sock is None:
                    # Refused or reset while connecting (e.g. a draining server closing its
                    # listener): there is no response to read, so this is the caller's OSError.
                    raise
                # The server answered (or hung up) before taking the whole body: read what it said.
                try:
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException):
                    raise Failure(f"{method} {path}: the server closed the connection while the "
                                  f"{len(body or b'')}-byte body was sent ({e}), with no response")
                raise Failure(f"{method} {path}: the server answered before taking the {len(body or b'')}-byte "
                              f"body: {resp.status} {data[:300]!r}")
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        r = Response(resp.status, resp.reason, resp.headers, data)
        # What holds for every response (spec: "Every response has header X-Request-Id"; errors are
        # status + {"error":{"code","message"}}).
        check(r.header("X-Request-Id"), f"{method} {path} → {r.status} without X-Request-Id")
        # /readyz answers 503 with its status document ({"status":"draining","checks":...}) by design.
        if r.status >= 400 and method != "HEAD" and not path.startswith("/readyz"):
            try:
                err = json.loads(data.decode("utf-8"))["error"]
                ok = isinstance(err["code"], str) and re.fullmatch(r"[a-z_]+", err["code"]) and \
                    isinstance(err["message"], str)
            except Exception:  # noqa: BLE001
                ok = False
            check(ok, f"{method} {path} → {r.status} with a body that is not a JSON error: {data[:200]!r}")
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)

    def db(self):
        return sqlite3.connect(os.path.join(self.data_dir, "amapiano.sqlite3"), timeout=15)

    def db_query(self, sql, *args):
        if STORES:
            return [tuple(r) for r in STORES[0].query(self.store_name, sql, *args)]
        conn = self.db()
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()


    def objects(self, prefix=""):
        """{key: size} of the stored objects under `prefix` (temporary files excluded)."""
        if STORES:
            return STORES[0].s3_keys(self.store_name, prefix)
        root = os.path.join(self.data_dir, "objects")
        out = {}
        for d, dirs, files in os.walk(root):
            dirs[:] = [n for n in dirs if not n.startswith(".")]
            for n in files:
                if not n.startswith("."):
                    key = os.path.relpath(os.path.join(d, n), root)
                    if key.startswith(prefix):
                        out[key] = os.path.getsize(os.path.join(d, n))
        return out


SERVERS = []


def start_server(*extra, **kw):
    s = Server(*extra, **kw)
    SERVERS.append(s)
    return s


_main = []


def main_server():
    """The shared server for the functional tests (started on first use)."""
    if not _main:
        _main.append(start_server(name="main"))
    return _main[0]


# ------------------------------------------------------------------------------------------------------
# API helpers


def signup(srv, email=None, password="correct horse battery", display_name="Test User"):
    email = email or unique("user") + "@example.com"
    r = srv.post("/api/v1/auth/signup", json_body={"email": email, "password": password,
                                                   "display_name": display_name})
    expect(r, 201, what=f"signup {email}")
    body = r.json
    return {"email": email, "password": password, "token": body["token"], "user": body["user"],
            "response": r}


def submit_generation(srv, token, spec):
    r = srv.post("/api/v1/generations", json_body=spec, token=token)
    expect(r, 202, what=f"POST /api/v1/generations {spec}")
    return r.json["job"]["id"]


def wait_job(srv, token, job_id, timeout=120, until=("succeeded", "failed")):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        r = srv.get(f"/api/v1/jobs/{job_id}", token=token)
        if r.status == 429:
            time.sleep(float(r.header("Retry-After", "1") or 1))
            continue
        expect(r, 200, what=f"GET /api/v1/jobs/{job_id}")
        last = r.json
        if last["status"] in until:
            return last
        time.sleep(0.2)
    raise Failure(f"job {job_id} not {until} within {timeout} s; last: {last}")


def wait_succeeded(srv, token, job_id, timeout=120):
    job = wait_job(srv, token, job_id, timeout)
    check(job["status"] == "succeeded", f"job {job_id} ended {job['status']}: {job.get('error')}")
    return job


def generate_track(srv, token, spec=None, timeout=120):
    job_id = submit_generation(srv, token, spec or {"bars": 8, "seed": 1})
    job = wait_succeeded(srv, token, job_id, timeout)
    return job_id, job["result"]["track_id"]


def get_track(srv, token, track_id):
    r = srv.get(f"/api/v1/tracks/{track_id}", token=token)
    expect(r, 200, what=f"GET /api/v1/tracks/{track_id}")
    return r.json


def multipart(field, filename, content_type, data):
    boundary = "----amapiano" + os.urandom(8).hex()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def raw_exchange(port, data, shut_wr=False, timeout=10):
    """Sends bytes on a raw socket, reads until the server closes or timeout; returns (bytes, seconds)."""
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
            if shut_wr:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if parse_raw_response(out) is not None:
                break
    finally:
        s.close()
    return out, time.monotonic() - start


def parse_raw_response(data):
    """(status, headers dict lower-case, body) once a whole response with Content-Length is in data."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    if len(rest) < n:
        return None
    return status, headers, rest[:n]


# ------------------------------------------------------------------------------------------------------
# A minimal RFC 6455 client


class WebSocketRefused(Exception):
    def __init__(self, status, headers, body):
        super().__init__(f"handshake answered {status}: {body[:200]!r}")
        self.status, self.headers, self.body = status, headers, body


class WebSocket:
    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, port, path, headers=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WebSocketRefused(0, {}, data)
            data += chunk
        head, _, self.buf = data.partition(b"\r\n\r\n")
        hl = head.decode("latin-1").split("\r\n")
        status = int(hl[0].split()[1])
        hdrs = {}
        for line in hl[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        self.status, self.headers = status, hdrs
        if status != 101:
            n = int(hdrs.get("content-length", "0"))
            while len(self.buf) < n:
                chunk = self.sock.recv(4096)
                if not chunk:
                    break
                self.buf += chunk
            self.sock.close()
            raise WebSocketRefused(status, hdrs, self.buf[:n])
        accept = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        check_eq(hdrs.get("sec-websocket-accept"), accept, "Sec-WebSocket-Accept")
        check_eq(hdrs.get("upgrade", "").lower(), "websocket", "Upgrade header")

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("WebSocket closed by the server without a close frame")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self, timeout=10):
        """(opcode, payload) of the next whole message; answers pings."""
        self.sock.settimeout(timeout)
        message, first_opcode = b"", None
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            check(not (b1 & 0x80), "a server frame is masked (RFC 6455 5.1 forbids it)")
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if opcode == 0x9:  # ping
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode >= 0x8:
                return opcode, payload
            if first_opcode is None:
                first_opcode = opcode
            message += payload
            if fin:
                return first_opcode, message

    def recv_json(self, timeout=10):
        opcode, payload = self.recv_frame(timeout)
        if opcode == 0x8:
            return None
        check_eq(opcode, 0x1, "frame opcode (text)")
        return json.loads(payload.decode("utf-8"))

    def send_frame(self, opcode, payload=b""):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def close(self, code=1000):
        """Sends a masked close frame and returns the close code the server answers with (or None)."""
        try:
            self.send_frame(0x8, struct.pack(">H", code))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                opcode, payload = self.recv_frame(5)
                if opcode == 0x8:
                    return struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
        except (OSError, ConnectionError):
            return None
        finally:
            self.sock.close()


# ------------------------------------------------------------------------------------------------------
# Test audio and shared fixtures

_cache = {}


def fixture(name):
    def wrap(fn):
        def get():
            if name not in _cache:
                _cache[name] = fn()
            return _cache[name]
        return get
    return wrap


@fixture("wav")
def audio_clip():
    path = os.path.join(WORK, "clip.wav")
    done = subprocess.run([BIN, "generate", "--bars", "8", "--seed", "1", "--bit-depth", "16", "-o", path],
                          capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"amapiano generate failed: {done.stderr}")
    with open(path, "rb") as f:
        data = f.read()
    cli_analysis = json.loads(subprocess.run([BIN, "analyze", "--json", path], capture_output=True, text=True,
                                             timeout=120).stdout.splitlines()[0])
    cli_validation = json.loads(subprocess.run([BIN, "validate", "--json", path], capture_output=True, text=True,
                                               timeout=120).stdout.splitlines()[0])
    return {"path": path, "data": data, "analysis": cli_analysis, "validation": cli_validation}


@fixture("alice")
def alice():
    return signup(main_server(), display_name="Alice")


@fixture("bob")
def bob():
    return signup(main_server(), display_name="Bob")


@fixture("full_track")
def full_track():
    """Alice's generation with two formats, stems and MIDI."""
    srv, a = main_server(), alice()
    spec = {"bars": 8, "seed": 1, "formats": ["wav", "mp3"], "stems": True, "midi": True}
    r = srv.post("/api/v1/generations", json_body=spec, token=a["token"])
    expect(r, 202, what="POST /api/v1/generations (wav+mp3, stems, midi)")
    job_id = r.json["job"]["id"]
    job = wait_succeeded(srv, a["token"], job_id)
    track = get_track(srv, a["token"], job["result"]["track_id"])
    return {"accepted": r, "job_id": job_id, "job": job, "track": track}


def asset(track, name):
    for a in track["assets"]:
        if a["name"] == name:
            return a
    raise Failure(f"track has no asset {name}: {[a['name'] for a in track['assets']]}")


MAGIC = {
    "wav": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE",
    "mp3": lambda b: b[:3] == b"ID3" or (len(b) > 1 and b[0] == 0xFF and (b[1] & 0xE0) == 0xE0),
    "flac": lambda b: b[:4] == b"fLaC",
    "ogg": lambda b: b[:4] == b"OggS",
    "midi": lambda b: b[:4] == b"MThd",
}
CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg",
                 "midi": "audio/midi"}


def magic_kind(name):
    if name.endswith(".mid"):
        return "midi"
    return name.rsplit(".", 1)[-1]


# ------------------------------------------------------------------------------------------------------
# Tests

TESTS = []
SELECTED = []


def test(fn):
    TESTS.append(fn)
    return fn


# --- accounts ---------------------------------------------------------------------------------------


@test
def test_signup_login_logout_me():
    srv = main_server()
    email = unique("Carol") + "@Example.com"
    u = signup(srv, email=email, display_name="Carol")
    body = u["response"].json
    for k in ("id", "email", "display_name", "created_at"):
        check(k in body["user"], f"signup user lacks {k}: {body}")
    check_eq(body["user"]["display_name"], "Carol", "display_name")
    check_eq(body["user"]["email"].lower(), email.lower(), "email")
    check(isinstance(body["token"], str) and len(body["token"]) >= 20, f"token {body['token']!r}")
    check(isinstance(body["expires_at"], str), "expires_at")
    me = expect(srv.get("/api/v1/auth/me", token=u["token"]), 200, what="GET /api/v1/auth/me").json
    check_eq(me["user"]["id"], body["user"]["id"], "me.user.id")
    check_eq(me["user"]["email"], body["user"]["email"], "me.user.email")

    r = expect(srv.post("/api/v1/auth/login", json_body={"email": email, "password": u["password"]}), 200,
               what="login")
    login = r.json
    check_eq(login["user"]["id"], body["user"]["id"], "login user id")
    check(login["token"] != u["token"], "login returned the signup token again")
    check("expires_at" in login, "login lacks expires_at")
    cookies = " | ".join(r.header_all("Set-Cookie"))
    check("amapiano_session=" in cookies, f"login sets no amapiano_session cookie: {cookies!r}")

    expect(srv.post("/api/v1/auth/logout", token=login["token"]), 204, what="logout")
    expect(srv.get("/api/v1/auth/me", token=login["token"]), 401, "unauthenticated", "me after logout")
    expect(srv.post("/api/v1/auth/logout", token=login["token"]), 401, "unauthenticated", "logout twice")
    expect(srv.get("/api/v1/auth/me", token=u["token"]), 200, what="the other session still works")


@test
def test_signup_duplicate_email_409():
    srv = main_server()
    email = unique("dup") + "@example.com"
    signup(srv, email=email)
    r = srv.post("/api/v1/auth/signup", json_body={"email": email, "password": "another password",
                                                   "display_name": "Dup"})
    expect(r, 409, "conflict", "second signup with the same e-mail")


@test
def test_signup_invalid_fields_422():
    srv = main_server()
    good = {"email": unique("v") + "@example.com", "password": "long enough pw", "display_name": "V"}
    cases = [
        ({**good, "password": "short"}, "password"),
        ({**good, "password": "x" * 1025}, "password"),
        ({**good, "display_name": ""}, "display"),
        ({**good, "display_name": "d" * 101}, "display"),
        ({**good, "email": "not-an-address"}, "mail"),
        ({k: v for k, v in good.items() if k != "display_name"}, "display"),
        ({k: v for k, v in good.items() if k != "password"}, "password"),
        ({k: v for k, v in good.items() if k != "email"}, "mail"),
        ({**good, "password": 12345678}, "password"),
    ]
    for body, field in cases:
        r = expect(srv.post("/api/v1/auth/signup", json_body=body), 422, "invalid_argument", f"signup {body}")
        check(field in r.json["error"]["message"].lower().replace("_", " ").replace("display name", "display"),
              f"signup {body}: message does not name {field}: {r.json}")
    r = expect(srv.post("/api/v1/auth/login", json_body={"email": good["email"]}), 422, "invalid_argument",
               "login without password")
    check("password" in r.json["error"]["message"], f"login 422 message: {r.json}")
    expect(srv.post("/api/v1/auth/signup", body=b"{\"email\": ", headers={"Content-Type": "application/json"}),
           400, "invalid_json", "signup with broken JSON")


@test
def test_login_failure_message_identical():
    srv = main_server()
    u = signup(srv)
    unknown = srv.post("/api/v1/auth/login", json_body={"email": unique("nobody") + "@example.com",
                                                        "password": "whatever password"})
    wrong = srv.post("/api/v1/auth/login", json_body={"email": u["email"], "password": "wrong password!"})
    expect(unknown, 401, "unauthenticated", "login with unknown e-mail")
    expect(wrong, 401, "unauthenticated", "login with wrong password")
    check_eq(unknown.json["error"]["message"], "wrong e-mail address or password", "failure message")
    check_eq(wrong.json, unknown.json, "wrong password vs unknown e-mail bodies")


@test
def test_login_rate_limited_after_failures_429():
    srv = main_server()
    u = signup(srv)
    for i in range(5):
        r = srv.post("/api/v1/auth/login", json_body={"email": u["email"], "password": f"wrong password {i}"})
        expect(r, 401, "unauthenticated", f"failed login #{i + 1}")
    r = srv.post("/api/v1/auth/login", json_body={"email": u["email"], "password": "wrong password 6"})
    expect(r, 429, "rate_limited", "6th failed login within 15 min")
    check(r.header("Retry-After") is not None, "429 without Retry-After")
    check(int(r.header("Retry-After")) >= 0, f"Retry-After {r.header('Retry-After')!r}")


@test
def test_cookie_auth_httponly():
    srv = main_server()
    u = signup(srv)
    cookies = u["response"].header_all("Set-Cookie")
    session = [c for c in cookies if c.startswith("amapiano_session=")]
    check(len(session) == 1, f"signup Set-Cookie: {cookies}")
    attrs = [a.strip().lower() for a in session[0].split(";")]
    check("httponly" in attrs, f"cookie not HttpOnly: {session[0]}")
    check("samesite=strict" in attrs, f"cookie not SameSite=Strict: {session[0]}")
    check("path=/" in attrs, f"cookie not Path=/: {session[0]}")
    pair = session[0].split(";")[0]
    check_eq(pair.split("=", 1)[1], u["token"], "cookie value vs token")
    me = expect(srv.get("/api/v1/auth/me", cookie=pair), 200, what="me with the cookie only").json
    check_eq(me["user"]["id"], u["user"]["id"], "cookie user")
    expect(srv.get("/api/v1/auth/me", cookie="amapiano_session=not-a-token"), 401, "unauthenticated",
           "bad cookie")
    # a job through cookie auth too
    job_id = submit_generation_cookie(srv, pair)
    expect(srv.get(f"/api/v1/jobs/{job_id}", cookie=pair), 200, what="job via cookie")


def submit_generation_cookie(srv, pair):
    r = srv.post("/api/v1/generations", json_body={"bars": 8, "seed": 9}, cookie=pair)
    expect(r, 202, what="generation with cookie auth")
    return r.json["job"]["id"]


@test
def test_routes_require_auth_401():
    srv = main_server()
    routes = [("GET", "/api/v1/auth/me"), ("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/generations"),
              ("POST", "/api/v1/analyses"), ("POST", "/api/v1/validations"), ("GET", "/api/v1/jobs/abc"),
              ("GET", "/api/v1/tracks"), ("GET", "/api/v1/tracks/abc"), ("DELETE", "/api/v1/tracks/abc")]
    for method, path in routes:
        body = b"{}" if method == "POST" else None
        hdrs = {"Content-Type": "application/json"} if body else {}
        expect(srv.request(method, path, body=body, headers=hdrs), 401, "unauthenticated", f"{method} {path}")
        expect(srv.request(method, path, body=body, headers=hdrs, token="not-a-real-token"), 401,
               "unauthenticated", f"{method} {path} with a bad token")


# --- generation request validation ------------------------------------------------------------------


@test
def test_generation_bad_json_400():
    srv, a = main_server(), alice()
    for body in (b"{not json", b"[1, 2, 3]", b"\"text\"", b"{\"bars\": 8"):
        r = srv.post("/api/v1/generations", body=body, headers={"Content-Type": "application/json"},
                     token=a["token"])
        expect(r, 400, "invalid_json", f"generation body {body!r}")


@test
def test_generation_wrong_types_422():
    srv, a = main_server(), alice()
    cases = [({"bars": "eight"}, "bars"), ({"bpm": "fast"}, "bpm"), ({"stems": "yes"}, "stems"),
             ({"midi": 1}, "midi"), ({"formats": "wav"}, "formats"), ({"formats": [1]}, "formats"),
             ({"seed": "one"}, "seed"), ({"seed": 1.5}, "seed"), ({"prompt": 7}, "prompt"),
             ({"subgenre": True}, "subgenre"), ({"swing": [55]}, "swing"), ({"key": 5}, "key"),
             ({"seconds": "ten"}, "seconds"), ({"bars": 8.5}, "bars")]
    for body, field in cases:
        r = expect(srv.post("/api/v1/generations", json_body=body, token=a["token"]), 422, "invalid_argument",
                   f"generation {body}")
        check(field in r.json["error"]["message"], f"generation {body}: message does not name {field}: {r.json}")


@test
def test_generation_out_of_range_422():
    srv, a = main_server(), alice()
    cases = [({"bars": 7}, "bars"), ({"bars": 513}, "bars"), ({"bpm": 59}, "bpm"), ({"bpm": 201}, "bpm"),
             ({"swing": 49}, "swing"), ({"swing": 76}, "swing"), ({"seed": -1}, "seed"),
             ({"formats": []}, "formats"), ({"formats": ["wav", "wav"]}, "formats"),
             ({"formats": ["aiff"]}, "formats"), ({"subgenre": "gqom"}, "subgenre"), ({"key": "H#m"}, "key")]
    for body, field in cases:
        r = expect(srv.post("/api/v1/generations", json_body=body, token=a["token"]), 422, "invalid_argument",
                   f"generation {body}")
        check(field in r.json["error"]["message"], f"generation {body}: message does not name {field}: {r.json}")


@test
def test_generation_seconds_out_of_range_422():
    """seconds must give 8-512 bars at the track's tempo (about 17-1087 s at 113 BPM): refused at submit time
    (422 naming seconds), not accepted and then failed."""
    srv, a = main_server(), alice()
    for seconds in (10, 5000, 0, -3):
        r = srv.post("/api/v1/generations", json_body={"seconds": seconds}, token=a["token"])
        if r.status == 202:
            job = wait_job(srv, a["token"], r.json["job"]["id"])
            raise Failure(f"POST {{\"seconds\": {seconds}}}: expected 422 invalid_argument, got 202 and then a "
                          f"{job['status']} job with error {job.get('error')}")
        expect(r, 422, "invalid_argument", f"generation seconds={seconds}")
        check("seconds" in r.json["error"]["message"], f"message does not name seconds: {r.json}")
    r = srv.post("/api/v1/generations", json_body={"seconds": 20, "seed": 3}, token=a["token"])
    expect(r, 202, what="seconds=20")
    wait_succeeded(srv, a["token"], r.json["job"]["id"])


@test
def test_generation_unknown_field_422():
    srv, a = main_server(), alice()
    r = expect(srv.post("/api/v1/generations", json_body={"bars": 8, "colour": "blue"}, token=a["token"]), 422,
               "invalid_argument", "generation with an unknown field")
    check("colour" in r.json["error"]["message"], f"message does not name the field: {r.json}")


@test
def test_generation_bars_and_seconds_422():
    srv, a = main_server(), alice()
    r = expect(srv.post("/api/v1/generations", json_body={"bars": 8, "seconds": 10}, token=a["token"]), 422,
               "invalid_argument", "bars and seconds together")
    msg = r.json["error"]["message"]
    check("bars" in msg or "seconds" in msg, f"message names neither bars nor seconds: {msg}")


@test
def test_generation_wrong_content_type_415():
    srv, a = main_server(), alice()
    expect(srv.post("/api/v1/generations", body=b'{"bars": 8}', headers={"Content-Type": "text/plain"},
                    token=a["token"]), 415, "unsupported_media_type", "generation as text/plain")


# --- generation, tracks, signed assets --------------------------------------------------------------


@test
def test_generation_with_formats_stems_midi():
    srv = main_server()
    ft = full_track()
    r = ft["accepted"]
    job = r.json["job"]
    check_eq(job["kind"], "generation", "job.kind")
    check_eq(job["status"], "queued", "job.status at submit")
    check_eq(job["progress"], 0, "job.progress at submit")
    check("created_at" in job and job["id"], f"job {job}")
    check_eq(r.header("Location"), f"/api/v1/jobs/{job['id']}", "Location header")

    done = ft["job"]
    for k in ("id", "kind", "status", "progress", "attempts", "created_at", "updated_at", "result"):
        check(k in done, f"finished job lacks {k}: {done}")
    check_eq(done["progress"], 1, "progress when succeeded")
    check(done["attempts"] >= 1, f"attempts {done['attempts']}")
    check(isinstance(done["result"].get("validation", {}).get("score"), (int, float)),
          f"generation result lacks validation.score: {done['result']}")
    check("error" not in done or done["error"] is None, f"succeeded job has error {done.get('error')}")

    track = ft["track"]
    for k in ("id", "title", "created_at", "spec", "analysis", "validation", "assets"):
        check(k in track, f"track lacks {k}")
    check_eq(track["id"], done["result"]["track_id"], "track id")
    check_eq(track["spec"].get("bars"), 8, "track.spec.bars")
    check_eq(track["spec"].get("seed"), 1, "track.spec.seed")
    names = {a["name"]: a for a in track["assets"]}
    check_eq(names.get("mix.wav", {}).get("kind"), "mix", "mix.wav kind")
    check_eq(names.get("mix.mp3", {}).get("kind"), "mix", "mix.mp3 kind")
    check_eq(names.get("track.mid", {}).get("kind"), "midi", "track.mid kind")
    stems = [a for a in track["assets"] if a["kind"] == "stem"]
    check(len(stems) >= 3, f"stems: {[a['name'] for a in stems]}")
    for s in stems:
        check(re.fullmatch(r"stem-[a-z0-9-]+\.wav", s["name"]) is not None, f"stem name {s['name']}")
    check_eq(len([a for a in track["assets"] if a["kind"] == "mix"]), 2, "number of mixes")

    now = time.time()
    url_re = re.compile(r"/api/v1/assets/([^/?]+)/([^/?]+)\?expires=(\d+)&signature=([0-9a-f]{64})")
    for a in track["assets"]:
        for k in ("kind", "name", "format", "size_bytes", "url", "expires_at"):
            check(k in a, f"asset lacks {k}: {a}")
        m = url_re.fullmatch(a["url"])
        check(m is not None, f"asset url shape: {a['url']}")
        check_eq(m.group(1), track["id"], "url track id")
        check_eq(m.group(2), a["name"], "url name")
        check(now < int(m.group(3)) <= now + 900 + 60, f"expires {m.group(3)} vs now {now:.0f}")
        r = srv.get(a["url"])  # no token
        expect(r, 200, what=f"GET {a['name']} via signed URL")
        kind = magic_kind(a["name"])
        check(MAGIC[kind](r.body), f"{a['name']} does not start like {kind}: {r.body[:12]!r}")
        check_eq(len(r.body), a["size_bytes"], f"{a['name']} bytes vs size_bytes")
        check_eq(int(r.header("Content-Length")), a["size_bytes"], f"{a['name']} Content-Length")
        check_eq(r.header("Content-Type", "").split(";")[0], CONTENT_TYPES[kind], f"{a['name']} Content-Type")
        check_eq(r.header("Accept-Ranges"), "bytes", f"{a['name']} Accept-Ranges")
        h = srv.request("HEAD", a["url"])
        expect(h, 200, what=f"HEAD {a['name']}")
        check_eq(h.body, b"", "HEAD body")
        check_eq(int(h.header("Content-Length")), a["size_bytes"], f"HEAD {a['name']} Content-Length")
    # stored where the spec says
    stored = srv.objects(f"tracks/{track['id']}/")
    for a in track["assets"]:
        key = f"tracks/{track['id']}/{a['name']}"
        check_eq(stored.get(key), a["size_bytes"], f"stored size of object {key}")


@test
def test_asset_ranges_206_416():
    srv = main_server()
    a = asset(full_track()["track"], "mix.wav")
    full = expect(srv.get(a["url"]), 200, what="full download").body
    size = len(full)
    cases = [("bytes=0-99", 0, 99), ("bytes=100-", 100, size - 1), ("bytes=-50", size - 50, size - 1),
             (f"bytes=10-{size + 1000}", 10, size - 1), ("bytes=44-44", 44, 44)]
    for rng, lo, hi in cases:
        r = srv.get(a["url"], headers={"Range": rng})
        expect(r, 206, what=f"Range {rng}")
        check_eq(r.header("Content-Range"), f"bytes {lo}-{hi}/{size}", f"Content-Range for {rng}")
        check_eq(r.body, full[lo:hi + 1], f"bytes for {rng}")
        check_eq(int(r.header("Content-Length")), hi - lo + 1, f"Content-Length for {rng}")
    for rng in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}"):
        r = srv.get(a["url"], headers={"Range": rng})
        check_eq(r.status, 416, f"status for unsatisfiable {rng} (size {size})")
        cr = r.header("Content-Range")
        check(cr is None or cr == f"bytes */{size}", f"416 Content-Range {cr!r}")
        if r.body:
            check_eq(r.error_code(), "range_not_satisfiable", "416 error code")


@test
def test_asset_tampered_signature_403():
    srv = main_server()
    track = full_track()["track"]
    a, other = asset(track, "mix.wav"), asset(track, "mix.mp3")
    path, _, query = a["url"].partition("?")
    q = dict(urllib.parse.parse_qsl(query))
    sig = q["signature"]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = {
        "signature": f"{path}?expires={q['expires']}&signature={flipped}",
        "expires": f"{path}?expires={int(q['expires']) + 1}&signature={sig}",
        "path": f"{other['url'].split('?')[0]}?expires={q['expires']}&signature={sig}",
    }
    for what, url in tampered.items():
        expect(srv.get(url), 403, "invalid_signature", f"tampered {what}: {url}")
    # expires moved into the past: the signature no longer matches (either 403 code is defensible)
    r = srv.get(f"{path}?expires={int(time.time()) - 10}&signature={sig}")
    check(r.status == 403 and r.error_code() in ("invalid_signature", "url_expired"), f"past expires: {r}")
    r = srv.get(path)
    check(r.status in (400, 403) and r.error_code() in ("invalid_signature", "bad_request"),
          f"no signature at all: expected 403 invalid_signature (or 400 bad_request), got {r}")


@test
def test_asset_url_expired_403():
    srv = start_server("--url-ttl-seconds", "1", name="ttl")
    u = signup(srv)
    _, track_id = generate_track(srv, u["token"])
    a = asset(get_track(srv, u["token"], track_id), "mix.wav")
    expires = int(re.search(r"expires=(\d+)", a["url"]).group(1))
    check(expires <= time.time() + 5, f"--url-ttl-seconds 1 but expires={expires}, now={time.time():.0f}")
    while time.time() <= expires + 1:
        time.sleep(0.2)
    expect(srv.get(a["url"]), 403, "url_expired", "GET after expiry")
    # a fresh URL works again
    a2 = asset(get_track(srv, u["token"], track_id), "mix.wav")
    expect(srv.get(a2["url"]), 200, what="fresh signed URL")
    check_eq(srv.stop(), 0, "exit code after SIGTERM")


@test
def test_track_list_pagination():
    srv = main_server()
    u = signup(srv)
    ids = set()
    for seed in (11, 12, 13):
        ids.add(generate_track(srv, u["token"], {"bars": 8, "seed": seed})[1])
    page = expect(srv.get("/api/v1/tracks", token=u["token"]), 200, what="GET /api/v1/tracks").json
    check_eq({t["id"] for t in page["items"]}, ids, "default page ids")
    check_eq(page["next_cursor"], None, "next_cursor on the only page")
    for t in page["items"]:
        for k in ("id", "title", "created_at", "spec"):
            check(k in t, f"list item lacks {k}: {t}")
    created = [t["created_at"] for t in page["items"]]
    check_eq(created, sorted(created, reverse=True), "newest first")

    walked, cursor, pages = [], None, 0
    while True:
        path = "/api/v1/tracks?limit=1" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        p = expect(srv.get(path, token=u["token"]), 200, what=f"GET {path}").json
        pages += 1
        check(len(p["items"]) <= 1, f"limit=1 gave {len(p['items'])} items")
        walked += [t["id"] for t in p["items"]]
        cursor = p["next_cursor"]
        if cursor is None:
            break
        check(pages < 10, "cursor walk does not end")
    check_eq(sorted(walked), sorted(ids), "tracks walked with limit=1 (each exactly once)")
    check_eq(walked, [t["id"] for t in page["items"]], "walk order vs default page")
    p2 = expect(srv.get("/api/v1/tracks?limit=2", token=u["token"]), 200, what="limit=2").json
    check_eq(len(p2["items"]), 2, "limit=2 items")
    check(p2["next_cursor"] is not None, "limit=2 of 3 must have a next_cursor")

    for q in ("limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5", "cursor=%21%21not-a-cursor%21%21"):
        expect(srv.get(f"/api/v1/tracks?{q}", token=u["token"]), 422, "invalid_argument", f"GET /api/v1/tracks?{q}")


@test
def test_delete_track():
    srv = main_server()
    u = signup(srv)
    _, track_id = generate_track(srv, u["token"], {"bars": 8, "seed": 21, "midi": True})
    track = get_track(srv, u["token"], track_id)
    urls = [a["url"] for a in track["assets"]]
    expect(srv.get(urls[0]), 200, what="asset before delete")
    r = srv.request("DELETE", f"/api/v1/tracks/{track_id}", token=u["token"])
    expect(r, 204, what="DELETE track")
    check_eq(r.body, b"", "204 body")
    expect(srv.get(f"/api/v1/tracks/{track_id}", token=u["token"]), 404, "not_found", "GET deleted track")
    for url in urls:
        expect(srv.get(url), 404, "not_found", f"asset of the deleted track {url}")
    expect(srv.request("DELETE", f"/api/v1/tracks/{track_id}", token=u["token"]), 404, "not_found",
           "DELETE twice")
    items = expect(srv.get("/api/v1/tracks", token=u["token"]), 200, what="list").json["items"]
    check(track_id not in [t["id"] for t in items], "deleted track still listed")
    check(not srv.objects(f"tracks/{track_id}/"), "the deleted track's objects are still stored")


@test
def test_delete_account():
    srv, clip = main_server(), audio_clip()
    u, other = signup(srv), signup(srv)
    _, track_id = generate_track(srv, u["token"], {"bars": 8, "seed": 23, "midi": True})
    _, kept_track = generate_track(srv, other["token"], {"bars": 8, "seed": 23})
    garbage = b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes(range(256)) * 40
    uploads = []
    for body in (clip["data"], garbage):  # one analysis that succeeds, one that fails for good
        r = srv.post("/api/v1/analyses", body=body, headers={"Content-Type": "audio/wav"}, token=u["token"])
        uploads.append(expect(r, 202, what="POST /api/v1/analyses").json["job"]["id"])
    # While one of its jobs is queued or running the account stays (a long render cannot end in between).
    busy = submit_generation(srv, u["token"], {"bars": 32, "seed": 5})
    r = srv.request("DELETE", "/api/v1/auth/me", token=u["token"])
    expect(r, 409, "jobs_active", "DELETE /api/v1/auth/me with a job running")
    expect(srv.get("/api/v1/auth/me", token=u["token"]), 200, what="me after the refused delete")
    for job_id in uploads + [busy]:
        wait_job(srv, u["token"], job_id, timeout=240)
    check(srv.objects(f"tracks/{track_id}/"), "the track's objects before the delete")

    r = srv.request("DELETE", "/api/v1/auth/me", token=u["token"])
    expect(r, 204, what="DELETE /api/v1/auth/me")
    check("Max-Age=0" in (r.header("Set-Cookie") or ""), f"the session cookie is cleared: {r.header('Set-Cookie')}")
    expect(srv.get("/api/v1/auth/me", token=u["token"]), 401, "unauthenticated", "the deleted account's token")
    expect(srv.post("/api/v1/auth/login", json_body={"email": u["email"], "password": u["password"]}), 401,
           "unauthenticated", "login to the deleted account")
    check_eq(srv.db_query("SELECT COUNT(*) FROM tracks WHERE user_id = ?", u["user"]["id"])[0][0], 0,
             "tracks left")
    check_eq(srv.db_query("SELECT COUNT(*) FROM jobs WHERE user_id = ?", u["user"]["id"])[0][0], 0, "jobs left")
    check(not srv.objects(f"tracks/{track_id}/"), "the deleted account's track objects are still stored")
    for job_id in uploads:
        check(not srv.objects(f"uploads/{job_id}"), f"upload {job_id} is still stored")
    # Nothing of anyone else's went, and the address is free again.
    expect(srv.get(f"/api/v1/tracks/{kept_track}", token=other["token"]), 200, what="the other user's track")
    check(srv.objects(f"tracks/{kept_track}/"), "the other user's objects")
    signup(srv, email=u["email"])


@test
def test_users_isolated_404():
    srv = main_server()
    a = signup(srv, display_name="A")
    b = signup(srv, display_name="B")
    job_id, track_id = generate_track(srv, a["token"], {"bars": 8, "seed": 31})
    expect(srv.get(f"/api/v1/jobs/{job_id}", token=b["token"]), 404, "not_found", "B gets A's job")
    expect(srv.get(f"/api/v1/tracks/{track_id}", token=b["token"]), 404, "not_found", "B gets A's track")
    expect(srv.request("DELETE", f"/api/v1/tracks/{track_id}", token=b["token"]), 404, "not_found",
           "B deletes A's track")
    items = expect(srv.get("/api/v1/tracks", token=b["token"]), 200, what="B's list").json["items"]
    check_eq(items, [], "B's track list")
    get_track(srv, a["token"], track_id)  # still there for A
    expect(srv.get("/api/v1/jobs/no-such-job", token=a["token"]), 404, "not_found", "unknown job")
    expect(srv.get("/api/v1/tracks/no-such-track", token=a["token"]), 404, "not_found", "unknown track")


# --- uploads ------------------------------------------------------------------------------------------


@test
def test_analysis_raw_body():
    srv, a, clip = main_server(), alice(), audio_clip()
    r = srv.post("/api/v1/analyses", body=clip["data"], headers={"Content-Type": "audio/wav"}, token=a["token"])
    expect(r, 202, what="POST /api/v1/analyses (audio/wav)")
    job = r.json["job"]
    check_eq(job["kind"], "analysis", "kind")
    check_eq(job["status"], "queued", "status")
    check_eq(r.header("Location"), f"/api/v1/jobs/{job['id']}", "Location")
    done = wait_succeeded(srv, a["token"], job["id"])
    an = done["result"]["analysis"]
    cli = clip["analysis"]
    check(100 <= an["bpm"] <= 130, f"analysis.bpm {an['bpm']}")
    for k in ("bpm", "key", "mode", "duration_s", "sample_rate_hz", "channels"):
        check(k in an, f"analysis lacks {k}")
    check_eq(an["bpm"], cli["bpm"], "analysis.bpm vs `amapiano analyze --json`")
    check_eq((an["key"], an["mode"]), (cli["key"], cli["mode"]), "analysis key vs the CLI")


@test
def test_analysis_multipart():
    srv, a, clip = main_server(), alice(), audio_clip()
    body, ctype = multipart("file", "clip.wav", "audio/wav", clip["data"])
    r = srv.post("/api/v1/analyses", body=body, headers={"Content-Type": ctype}, token=a["token"])
    expect(r, 202, what="POST /api/v1/analyses (multipart)")
    done = wait_succeeded(srv, a["token"], r.json["job"]["id"])
    check_eq(done["result"]["analysis"]["bpm"], clip["analysis"]["bpm"], "multipart analysis.bpm")
    # multipart without a `file` field
    body, ctype = multipart("other", "clip.wav", "audio/wav", clip["data"])
    r = srv.post("/api/v1/analyses", body=body, headers={"Content-Type": ctype}, token=a["token"])
    check(r.status in (400, 422), f"multipart without `file`: expected 422 (or 400), got {r.status} {r.body[:200]!r}")


@test
def test_validation_upload():
    srv, a, clip = main_server(), alice(), audio_clip()
    r = srv.post("/api/v1/validations", body=clip["data"], headers={"Content-Type": "application/octet-stream"},
                 token=a["token"])
    expect(r, 202, what="POST /api/v1/validations (octet-stream)")
    check_eq(r.json["job"]["kind"], "validation", "kind")
    done = wait_succeeded(srv, a["token"], r.json["job"]["id"])
    v = done["result"]["validation"]
    check(isinstance(v["score"], (int, float)) and 0 <= v["score"] <= 100, f"validation.score {v.get('score')}")
    check_eq(v["score"], clip["validation"]["score"], "validation.score vs `amapiano validate --json`")
    check("verdict" in v and "criteria" in v, f"validation lacks verdict/criteria: {list(v)}")
    r = srv.post("/api/v1/validations?subgenre=bacardi", body=clip["data"], headers={"Content-Type": "audio/wav"},
                 token=a["token"])
    expect(r, 202, what="POST /api/v1/validations?subgenre=bacardi")
    v = wait_succeeded(srv, a["token"], r.json["job"]["id"])["result"]["validation"]
    check_eq(v["subgenre"], "bacardi", "validation.subgenre with ?subgenre=bacardi")
    expect(srv.post("/api/v1/validations?subgenre=polka", body=clip["data"], headers={"Content-Type": "audio/wav"},
                    token=a["token"]), 422, "invalid_argument", "?subgenre=polka")


@test
def test_corrupt_upload_job_fails():
    srv, a = main_server(), alice()
    garbage = b"RIFF\x24\x00\x00\x00WAVEjunk" + bytes((i * 73 + 11) % 256 for i in range(20000))
    for route in ("/api/v1/analyses", "/api/v1/validations"):
        r = srv.post(route, body=garbage, headers={"Content-Type": "audio/wav"}, token=a["token"])
        expect(r, 202, what=f"POST {route} with corrupt audio")
        done = wait_job(srv, a["token"], r.json["job"]["id"])
        check_eq(done["status"], "failed", f"{route} corrupt job status")
        err = done.get("error") or {}
        check(err.get("code") in ("corrupt_data", "unsupported"), f"{route} corrupt job error {err}")
        check(isinstance(err.get("message"), str) and err["message"], f"error.message {err}")


@test
def test_upload_unsupported_media_415_and_empty_422():
    srv, a = main_server(), alice()
    for route in ("/api/v1/analyses", "/api/v1/validations"):
        for ctype in ("application/json", "text/plain"):
            expect(srv.post(route, body=b'{"x": 1}', headers={"Content-Type": ctype}, token=a["token"]), 415,
                   "unsupported_media_type", f"POST {route} as {ctype}")
        expect(srv.post(route, body=b"", headers={"Content-Type": "audio/wav"}, token=a["token"]), 422,
               "invalid_argument", f"POST {route} with an empty body")


@test
def test_upload_too_large_413_without_reading_body():
    srv = start_server("--max-upload-mb", "1", name="limits")
    u = signup(srv)
    head = ("POST /api/v1/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: audio/wav\r\n"
            f"Authorization: Bearer {u['token']}\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n").encode()
    out, seconds = raw_exchange(srv.port, head + b"\0" * 4096, timeout=10)
    parsed = parse_raw_response(out)
    check(parsed is not None, f"no whole response to a 50 MB Content-Length after {seconds:.1f} s: {out[:200]!r}")
    status, headers, body = parsed
    check_eq((status, json.loads(body)["error"]["code"]), (413, "payload_too_large"),
             f"answer to Content-Length 50 MB over a 1 MB limit ({body!r})")
    check(headers.get("x-request-id"), f"413 without X-Request-Id: {headers}")
    check(seconds < 5, f"413 took {seconds:.1f} s (must not wait for the body)")
    # and a body within the limit still goes through on the same server
    expect(srv.post("/api/v1/analyses", body=audio_clip()["data"][:500000], headers={"Content-Type": "audio/wav"},
                    token=u["token"]), 202, what="500 kB upload under a 1 MB limit")
    check_eq(srv.stop(), 0, "exit code after SIGTERM")


@test
def test_truncated_upload_400():
    srv = main_server()
    u = signup(srv)
    jobs_before = srv.db_query("SELECT COUNT(*) FROM jobs")[0][0]
    head = ("POST /api/v1/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: audio/wav\r\n"
            f"Authorization: Bearer {u['token']}\r\nContent-Length: 100000\r\n\r\n").encode()
    out, seconds = raw_exchange(srv.port, head + audio_clip()["data"][:1000], shut_wr=True, timeout=15)
    if out:
        parsed = parse_raw_response(out)
        check(parsed is not None, f"partial response to a truncated body: {out[:200]!r}")
        status, headers, body = parsed
        check_eq((status, json.loads(body)["error"]["code"]), (400, "truncated_body"),
                 f"answer to a truncated body ({body!r})")
        check(headers.get("x-request-id"), f"400 truncated_body without X-Request-Id: {headers}")
    time.sleep(0.3)
    user_jobs = srv.db_query("SELECT COUNT(*) FROM jobs WHERE user_id = ?", u["user"]["id"])[0][0]
    check_eq(user_jobs, 0, "jobs created from a truncated upload")
    check(srv.db_query("SELECT COUNT(*) FROM jobs")[0][0] >= jobs_before, "jobs vanished")


# --- routing, request ids ---------------------------------------------------------------------------


@test
def test_unknown_route_404_wrong_method_405():
    srv, a = main_server(), alice()
    for path in ("/api/v1/nope", "/nope", "/api/v2/tracks", "/api/v1/tracks/x/y/z"):
        expect(srv.get(path, token=a["token"]), 404, "not_found", f"GET {path}")
    cases = [("DELETE", "/api/v1/generations", "POST"), ("GET", "/api/v1/generations", "POST"),
             ("PUT", "/api/v1/tracks/abc", "DELETE"), ("POST", "/api/v1/tracks", "GET"),
             ("POST", "/healthz", "GET"), ("GET", "/api/v1/auth/login", "POST"),
             ("DELETE", "/api/v1/jobs/abc", "GET"), ("PATCH", "/api/v1/auth/me", "GET")]
    for method, path, allowed in cases:
        r = srv.request(method, path, token=a["token"])
        expect(r, 405, "method_not_allowed", f"{method} {path}")
        allow = [m.strip() for m in (r.header("Allow") or "").split(",")]
        check(allowed in allow, f"{method} {path}: Allow {r.header('Allow')!r} lacks {allowed}")


@test
def test_request_id_header():
    srv = main_server()
    for path in ("/healthz", "/api/v1/nope", "/api/v1/auth/me"):
        r = srv.get(path)
        rid = r.header("X-Request-Id")
        check(rid and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", rid), f"{path}: X-Request-Id {rid!r}")
    for good in ("abc.DEF_123-x", "x", "a" * 64):
        check_eq(srv.get("/healthz", headers={"X-Request-Id": good}).header("X-Request-Id"), good,
                 f"echoed X-Request-Id {good}")
    for bad in ("a" * 65, "has space", "semi;colon", "ünï"):
        try:
            rid = srv.get("/healthz", headers={"X-Request-Id": bad.encode("utf-8").decode("latin-1")}).header(
                "X-Request-Id")
        except Exception as e:  # noqa: BLE001
            raise Failure(f"X-Request-Id {bad!r}: {e}")
        check(rid and rid != bad and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", rid),
              f"invalid incoming X-Request-Id {bad!r} answered with {rid!r}")
    ids = {srv.get("/healthz").header("X-Request-Id") for _ in range(5)}
    check_eq(len(ids), 5, "generated request ids are unique")


# --- concurrency ----------------------------------------------------------------------------------------


@test
def test_concurrent_generations():
    srv = main_server()
    users = [signup(srv), signup(srv)]
    barrier = threading.Barrier(6)
    results, errors = {}, []

    def one(i):
        u = users[i % 2]
        try:
            barrier.wait(10)
            spec = {"seconds": 20, "seed": 100 + i} if i % 2 else {"bars": 8, "seed": 100 + i}
            job_id = submit_generation(srv, u["token"], spec)
            job = wait_succeeded(srv, u["token"], job_id, timeout=180)
            results[i] = (u, job_id, job["result"]["track_id"])
        except Exception as e:  # noqa: BLE001
            errors.append(f"generation {i}: {e}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    check(not errors, "; ".join(errors))
    check_eq(len(results), 6, "finished generations")
    check_eq(len({r[2] for r in results.values()}), 6, "distinct track ids")
    for u in users:
        mine = {r[2] for r in results.values() if r[0] is u}
        listed = expect(srv.get("/api/v1/tracks", token=u["token"]), 200, what="list").json["items"]
        check_eq({t["id"] for t in listed}, mine, f"{u['email']}'s tracks")
    for _, job_id, track_id in results.values():
        rows = srv.db_query("SELECT id FROM tracks WHERE job_id = ?", job_id)
        check_eq(rows, [(track_id,)], f"track rows of job {job_id}")


# --- WebSocket -----------------------------------------------------------------------------------------


@test
def test_websocket_job_events():
    srv = main_server()
    a, b = signup(srv), signup(srv)
    try:
        WebSocket(srv.port, "/api/v1/events")
        raise Failure("WebSocket without a token was upgraded")
    except WebSocketRefused as e:
        check_eq(e.status, 401, "WebSocket handshake without a token")
        check(e.headers.get("x-request-id"), f"401 handshake without X-Request-Id: {e.headers}")
        check_eq(json.loads(e.body)["error"]["code"], "unauthenticated", "error code")
    try:
        WebSocket(srv.port, "/api/v1/events?token=bogus")
        raise Failure("WebSocket with a bogus token was upgraded")
    except WebSocketRefused as e:
        check_eq(e.status, 401, "WebSocket handshake with a bogus token")

    ws = WebSocket(srv.port, f"/api/v1/events?token={urllib.parse.quote(a['token'])}")
    ws_b = WebSocket(srv.port, "/api/v1/events", headers={"Authorization": f"Bearer {b['token']}"})
    ws_cookie = WebSocket(srv.port, "/api/v1/events", headers={"Cookie": f"amapiano_session={a['token']}"})
    time.sleep(0.2)
    job_id = submit_generation(srv, a["token"], {"bars": 8, "seed": 41})
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        msg = ws.recv_json(timeout=max(0.1, deadline - time.monotonic()))
        check(msg is not None, f"WebSocket closed early; events so far {seen}")
        check_eq(msg.get("type"), "job", f"event type in {msg}")
        job = msg["job"]
        for k in ("id", "kind", "status", "progress"):
            check(k in job, f"event job lacks {k}: {msg}")
        if job["id"] != job_id:
            continue
        seen.append((job["status"], job["progress"]))
        if job["status"] in ("succeeded", "failed"):
            break
    check(seen and seen[-1][0] == "succeeded", f"events for job {job_id}: {seen}")
    progress = [p for _, p in seen]
    check_eq(progress, sorted(progress), "progress never goes back")
    final = msg["job"]
    check_eq(final.get("result", {}).get("track_id"),
             wait_succeeded(srv, a["token"], job_id)["result"]["track_id"], "event result.track_id vs GET")
    # the cookie-authenticated socket saw it too
    got_cookie = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not got_cookie:
        m = ws_cookie.recv_json(timeout=max(0.1, deadline - time.monotonic()))
        got_cookie = m is not None and m["job"]["id"] == job_id and m["job"]["status"] == "succeeded"
    check(got_cookie, "cookie-authenticated WebSocket did not see the job succeed")
    # B's socket must not see A's job
    ws_b.sock.settimeout(0.5)
    try:
        m = ws_b.recv_json(timeout=0.5)
        check(m is None or m["job"]["id"] != job_id, f"user B received A's job event: {m}")
    except (socket.timeout, TimeoutError):
        pass
    for s in (ws, ws_b, ws_cookie):
        code = s.close(1000)
        check(code in (1000, None), f"server answered close with {code}")


# --- operations ----------------------------------------------------------------------------------------


@test
def test_healthz_readyz_health():
    srv = main_server()
    r = expect(srv.get("/healthz"), 200, what="/healthz")
    check_eq(r.json, {"status": "ok"}, "/healthz body")
    r = expect(srv.get("/readyz"), 200, what="/readyz")
    body = r.json
    check_eq(body["status"], "ready", "readyz status")
    checks = body["checks"]
    for k in ("database", "objects", "engine"):
        check_eq(checks.get(k), "ok", f"readyz checks.{k}")
    check(isinstance(checks.get("schema_version"), int) and checks["schema_version"] >= 1,
          f"schema_version {checks.get('schema_version')}")
    r = expect(srv.get("/health"), 200, what="/health")
    h = r.json
    check_eq(set(h), {"status", "model_loaded", "gpu_available", "version", "uptime_s"}, "/health fields")
    check_eq((h["status"], h["model_loaded"], h["gpu_available"], h["version"]),
             ("healthy", True, False, "0.1.0"), "/health values")
    check(isinstance(h["uptime_s"], (int, float)) and h["uptime_s"] >= 0, f"uptime_s {h['uptime_s']}")


@test
def test_metrics():
    srv = main_server()
    srv.get("/healthz")
    r = expect(srv.get("/metrics"), 200, what="/metrics")
    ctype = r.header("Content-Type", "")
    check(ctype.startswith("text/plain") and "0.0.4" in ctype, f"Content-Type {ctype!r}")
    text = r.body.decode()
    check(re.search(r'^amapiano_http_requests_total\{[^}]*route="/healthz"[^}]*\} \d', text, re.M),
          "no amapiano_http_requests_total sample with route=\"/healthz\"")
    line = re.search(r'^amapiano_http_requests_total\{([^}]*route="/healthz"[^}]*)\}', text, re.M).group(1)
    for label in ("method=", "status="):
        check(label in line, f"amapiano_http_requests_total lacks {label}: {line}")
    check(re.search(r'^amapiano_http_requests_total\{[^}]*route="/api/v1/jobs/\{id\}"', text, re.M),
          "requests_total has no route=\"/api/v1/jobs/{id}\" (route patterns, not paths)")
    for name in ("amapiano_job_queue_depth", "amapiano_job_oldest_queued_age_seconds", "amapiano_jobs_running",
                 "amapiano_uptime_seconds",
                 "amapiano_http_request_duration_seconds_bucket", "amapiano_http_request_duration_seconds_sum",
                 "amapiano_http_request_duration_seconds_count", "amapiano_jobs_total",
                 "amapiano_job_duration_seconds_bucket"):
        check(re.search(rf"^{name}(\{{[^}}]*\}})? ", text, re.M), f"/metrics lacks {name}")
    check(re.search(r'^amapiano_jobs_total\{[^}]*kind="generation"[^}]*outcome="[a-z]+"', text, re.M) or
          re.search(r'^amapiano_jobs_total\{[^}]*outcome="[a-z]+"[^}]*kind="generation"', text, re.M),
          "amapiano_jobs_total has no kind=\"generation\" sample with an outcome")
    # The queue_stats line the CloudWatch metric filters read (deploy/terraform): logged at start.
    stats = srv.logs("queue_stats")
    check(stats, "no queue_stats log line")
    for field in ("queued", "running", "oldest_queued_age_s"):
        check(isinstance(stats[0].get(field), (int, float)), f"queue_stats.{field}: {stats[0]}")
    check_eq(stats[0].get("environment"), "local", "queue_stats.environment (AMAPIANO_ENVIRONMENT unset)")


@test
def test_openapi_route():
    srv = main_server()
    r = expect(srv.get("/api/v1/openapi.json"), 200, what="/api/v1/openapi.json")
    doc = r.json
    check(doc.get("openapi", "").startswith("3."), f"openapi {doc.get('openapi')}")
    check_eq(doc["info"]["version"], "0.1.0", "info.version")
    want = {"/healthz", "/readyz", "/health", "/metrics", "/api/v1/openapi.json", "/api/v1/auth/signup",
            "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/generations",
            "/api/v1/analyses", "/api/v1/validations", "/api/v1/jobs/{id}", "/api/v1/tracks",
            "/api/v1/tracks/{id}", "/api/v1/assets/{track_id}/{name}", "/api/v1/events"}
    check(want <= set(doc["paths"]), f"served document lacks {sorted(want - set(doc['paths']))}")
    check({"get", "delete"} <= set(doc["paths"]["/api/v1/tracks/{id}"]), "tracks/{id} get+delete")
    with open(os.path.join(REPO, "content", "openapi.json")) as f:
        repo_doc = json.load(f)
    check_eq(set(doc["paths"]), set(repo_doc["paths"]), "served paths vs content/openapi.json")


@test
def test_request_and_job_log_lines():
    srv, a = main_server(), alice()
    ft = full_track()
    rid = "log-check-" + os.urandom(4).hex()
    r = srv.get(f"/api/v1/jobs/{ft['job_id']}", token=a["token"], headers={"X-Request-Id": rid})
    expect(r, 200, what="job")
    check_eq(r.header("X-Request-Id"), rid, "X-Request-Id echoed")
    line = srv.wait_log(lambda e: e.get("event") == "request" and e.get("request_id") == rid)
    check(line is not None, f"no request log line with request_id {rid}")
    for k in ("ts", "level", "event", "request_id", "method", "route", "status", "duration_ms", "user_id"):
        check(k in line, f"request log lacks {k}: {line}")
    check_eq((line["level"], line["method"], line["route"], line["status"], line["user_id"]),
             ("info", "GET", "/api/v1/jobs/{id}", 200, a["user"]["id"]), "request log fields")
    check(isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0, f"duration_ms {line}")
    rid2 = "anon-" + os.urandom(4).hex()
    srv.get("/healthz", headers={"X-Request-Id": rid2})
    line = srv.wait_log(lambda e: e.get("event") == "request" and e.get("request_id") == rid2)
    check(line is not None, "no request log line for /healthz")
    check_eq((line["route"], line["user_id"], line["status"]), ("/healthz", None, 200), "anonymous log line")
    rid3 = "nf-" + os.urandom(4).hex()
    srv.get(f"/api/v1/tracks/{'z' * 10}", token=a["token"], headers={"X-Request-Id": rid3})
    line = srv.wait_log(lambda e: e.get("event") == "request" and e.get("request_id") == rid3)
    check(line is not None and line["route"] == "/api/v1/tracks/{id}" and line["status"] == 404,
          f"404 log line {line}")
    # job events
    job_id = ft["job_id"]
    claimed = [e for e in srv.logs("job_claimed") if e.get("job_id") == job_id]
    succeeded = [e for e in srv.logs("job_succeeded") if e.get("job_id") == job_id]
    check(claimed, f"no job_claimed log line for {job_id}")
    for k in ("kind", "attempt"):
        check(k in claimed[0], f"job_claimed lacks {k}: {claimed[0]}")
    check_eq(len(succeeded), 1, f"job_succeeded lines for {job_id}")
    for k in ("kind", "attempt", "duration_ms"):
        check(k in succeeded[0], f"job_succeeded lacks {k}: {succeeded[0]}")
    check_eq(succeeded[0]["kind"], "generation", "job_succeeded kind")
    failed = [e for e in srv.logs("job_failed") if e.get("kind") in ("analysis", "validation")]
    if any(t.__name__ == "test_corrupt_upload_job_fails" for t in SELECTED):
        check(failed, "no job_failed log line for the corrupt uploads")
        for k in ("job_id", "attempt"):
            check(k in failed[0], f"job_failed lacks {k}: {failed[0]}")
    # every stderr line is one JSON object
    with srv.lock:
        bad = [l for l, e in zip(srv.lines, srv.events) if not isinstance(e, dict)]
    check(not bad, f"{len(bad)} stderr lines are not JSON objects, e.g. {bad[:3]}")
    for e in srv.logs()[:200]:
        check("ts" in e and "level" in e and "event" in e, f"log line lacks ts/level/event: {e}")


@test
def test_trust_proxy_client_address():
    # Without --trust-proxy a forged X-Forwarded-For is ignored; with it, the balancer's entry (the
    # last one) is the client's address in the log and for per-address login limits.
    plain = main_server()
    rid = "xff-" + os.urandom(4).hex()
    plain.get("/healthz", headers={"X-Request-Id": rid, "X-Forwarded-For": "203.0.113.9"})
    line = plain.wait_log(lambda e: e.get("event") == "request" and e.get("request_id") == rid)
    check(line is not None and line.get("remote") == "127.0.0.1", f"untrusted X-Forwarded-For used: {line}")
    srv = start_server("--trust-proxy", "true", name="proxy")
    rid = "xff-" + os.urandom(4).hex()
    srv.get("/healthz", headers={"X-Request-Id": rid, "X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    line = srv.wait_log(lambda e: e.get("event") == "request" and e.get("request_id") == rid)
    check(line is not None and line.get("remote") == "203.0.113.9", f"trusted X-Forwarded-For not used: {line}")
    # 20 failed logins from one forwarded address lock that address out, not the balancer's others.
    for i in range(21):
        r = srv.post("/api/v1/auth/login", json_body={"email": f"nobody{i}@example.com", "password": "wrong password"},
                     headers={"X-Forwarded-For": "198.51.100.66"})
    expect(r, 429, "rate_limited", "21st failure from one address")
    r = srv.post("/api/v1/auth/login", json_body={"email": "someone@example.com", "password": "wrong password"},
                 headers={"X-Forwarded-For": "198.51.100.67"})
    expect(r, 401, "unauthenticated", "another address behind the same balancer")
    check_eq(srv.stop(), 0, "exit code after SIGTERM")


@test
def test_rate_limit_per_user_429():
    srv = start_server("--rate-limit-per-minute", "10", name="ratelimit")
    u = signup(srv)
    statuses = []
    for _ in range(40):
        r = srv.get("/api/v1/auth/me", token=u["token"])
        statuses.append(r.status)
        if r.status == 429:
            expect(r, 429, "rate_limited", "over the per-user rate")
            check(r.header("Retry-After") is not None and int(r.header("Retry-After")) >= 0, "Retry-After")
            break
    check(429 in statuses, f"40 requests at --rate-limit-per-minute 10 never got 429: {statuses}")
    check(statuses[0] == 200, f"first request {statuses[0]}")
    check_eq(srv.stop(), 0, "exit code after SIGTERM")


# --- crash tests --------------------------------------------------------------------------------------


def wait_status(srv, token, job_id, status, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = srv.get(f"/api/v1/jobs/{job_id}", token=token)
        if r.status == 200:
            now = r.json["status"]
            if now == status:
                return r.json
            check(now not in ("succeeded", "failed"), f"job {job_id} ended {now} before it was seen {status}")
        time.sleep(0.05)
    raise Failure(f"job {job_id} never {status} within {timeout} s")


def dot_files(root):
    found = []
    for d, dirs, files in os.walk(root):
        found += [os.path.join(d, n) for n in files + dirs if n.startswith(".")]
    return found


def download_size(srv, url):
    """Streams an asset and returns (status, bytes received, Content-Length, first bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
    try:
        conn.request("GET", url)
        r = conn.getresponse()
        first, n = b"", 0
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            if not first:
                first = chunk[:16]
            n += len(chunk)
        return r.status, n, int(r.getheader("Content-Length", "-1")), first
    finally:
        conn.close()


def check_track_complete(srv, token, job_id):
    job = wait_succeeded(srv, token, job_id, timeout=180)
    track_id = job["result"]["track_id"]
    rows = srv.db_query("SELECT id FROM tracks WHERE job_id = ?", job_id)
    check_eq(rows, [(track_id,)], f"tracks rows for job {job_id}")
    listed = expect(srv.get("/api/v1/tracks", token=token), 200, what="list").json["items"]
    check_eq([t["id"] for t in listed], [track_id], "the user's tracks")
    track = get_track(srv, token, track_id)
    check(track["assets"], "track without assets")
    for a in track["assets"]:
        status, n, length, first = download_size(srv, a["url"])
        check_eq(status, 200, f"download {a['name']}")
        check_eq((n, length), (a["size_bytes"], a["size_bytes"]), f"{a['name']} bytes/Content-Length vs size_bytes")
        check(MAGIC[magic_kind(a["name"])](first), f"{a['name']} starts {first!r}")
    if STORES:
        # S3 shows an object only once complete; what must not be left is an object of no track.
        tracks = {r[0] for r in srv.db_query("SELECT id FROM tracks")}
        strays = [k for k in srv.objects("tracks/") if k.split("/")[1] not in tracks]
        check(not strays, f"objects of no track: {strays}")
    else:
        leftovers = dot_files(os.path.join(srv.data_dir, "objects"))
        check(not leftovers, f"temp files left under objects/: {leftovers}")
    return job


@test
def test_worker_process_with_serve_without_workers():
    """`serve --workers 0` queues, a separate `amapiano worker` on the same stores runs the job, and the
    client's WebSocket on the serve process hears the progress — carried through the database (polling
    on SQLite, LISTEN/NOTIFY on PostgreSQL)."""
    api = start_server(workers=0, name="split")
    worker = start_server(data_dir=api.data_dir, workers=2, name="split-worker", command="worker")
    u = signup(api)
    ws = WebSocket(api.port, f"/api/v1/events?token={urllib.parse.quote(u['token'])}")
    time.sleep(0.2)
    # Three minutes of audio take a couple of seconds: longer than the SQLite feed's 1 s poll, so the
    # running state is seen whichever backend carries it.
    job_id = submit_generation(api, u["token"], {"seconds": 180, "seed": 77})
    seen = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        msg = ws.recv_json(timeout=max(0.1, deadline - time.monotonic()))
        check(msg is not None, f"WebSocket closed early; events so far {seen}")
        job = msg["job"]
        if job["id"] != job_id:
            continue
        seen.append((job["status"], job["progress"]))
        if job["status"] in ("succeeded", "failed"):
            break
    check(seen and seen[-1][0] == "succeeded", f"events heard on the serve process: {seen}")
    check("running" in [st for st, _ in seen], f"no running event crossed from the worker: {seen}")
    check_eq(seen.count(seen[-1]), 1, f"the final event was delivered more than once: {seen}")
    ws.close()
    check(worker.wait_log(lambda e: e.get("event") == "job_succeeded" and e.get("job_id") == job_id, 5),
          "the worker process did not log job_succeeded")
    check(not api.logs("job_claimed"), "serve --workers 0 ran a job")
    track = get_track(api, u["token"], seen and wait_succeeded(api, u["token"], job_id)["result"]["track_id"])
    status, n, length, first = download_size(api, asset(track, "mix.wav")["url"])
    check_eq((status, n), (200, asset(track, "mix.wav")["size_bytes"]), "download of the worker's render")
    check_eq(worker.stop(), 0, "worker exit status after SIGTERM")
    check(worker.logs("stopped"), "the worker did not log stopped")


@test
def test_asset_redirect_delivery():
    """--asset-delivery redirect: on S3 a GET answers 302 to a presigned URL that the S3 server honours
    (ranges too) and refuses once tampered with; a store without direct URLs is proxied as before."""
    srv = start_server("--asset-delivery", "redirect", name="redirect")
    u = signup(srv)
    job_id = submit_generation(srv, u["token"], {"bars": 8, "seed": 5})
    track = get_track(srv, u["token"], wait_succeeded(srv, u["token"], job_id)["result"]["track_id"])
    a = asset(track, "mix.wav")
    r = srv.get(a["url"])
    if not STORES:
        expect(r, 200, what="GET on a local store with redirect delivery")
        check_eq(len(r.body), a["size_bytes"], "proxied bytes")
        return
    expect(r, 302, what="GET with redirect delivery")
    location = r.header("Location")
    check(location and location.startswith(STORES[0].s3.endpoint + "/"), f"Location {location!r}")
    check("X-Amz-Signature=" in location, f"not a presigned URL: {location}")
    expect(srv.request("HEAD", a["url"]), 200, what="HEAD stays answered by the service")
    tampered = srv.get(a["url"].replace("signature=", "signature=0"))
    expect(tampered, 403, "invalid_signature", "tampered service URL is refused before any redirect")
    import urllib.request
    import urllib.error
    with urllib.request.urlopen(location, timeout=30) as resp:
        body = resp.read()
    check_eq(len(body), a["size_bytes"], "bytes from the presigned URL")
    check(MAGIC["wav"](body), "presigned download is not the WAV")
    req = urllib.request.Request(location, headers={"Range": "bytes=0-99"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        check_eq((resp.status, resp.read()), (206, body[:100]), "range through the presigned URL")
    sig = re.search(r"X-Amz-Signature=([0-9a-f]+)", location).group(1)
    bad = location.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    try:
        urllib.request.urlopen(bad, timeout=30)
        raise Failure("the S3 server accepted a tampered presigned URL")
    except urllib.error.HTTPError as e:
        check_eq(e.code, 403, "tampered presigned URL")


@test
def test_crash_kill9_during_generation_then_restart():
    first = start_server("--job-lease-seconds", "2", name="kill9")
    u = signup(first)
    job_id = submit_generation(first, u["token"], {"bars": 512, "seed": 5, "midi": True})
    wait_status(first, u["token"], job_id, "running", timeout=60)
    time.sleep(1.0)
    first.stop(signal.SIGKILL)
    check_eq(first.proc.returncode, -signal.SIGKILL, "killed")
    rows = first.db_query("SELECT status, attempts FROM jobs WHERE id = ?", job_id)
    check_eq(rows[0][0], "running", "job row after kill -9")
    check_eq(first.db_query("SELECT COUNT(*) FROM tracks WHERE job_id = ?", job_id)[0][0], 0,
             "tracks of the killed job")

    second = start_server("--job-lease-seconds", "2", data_dir=first.data_dir, name="kill9-restart")
    job = check_track_complete(second, u["token"], job_id)
    check(job["attempts"] >= 2, f"attempts after a retried job: {job['attempts']}")
    check(job["attempts"] <= 3, f"attempts {job['attempts']} > 3")
    check_eq(len([e for e in second.logs("job_succeeded") if e.get("job_id") == job_id]), 1,
             "job_succeeded lines after restart")
    check_eq(second.stop(), 0, "exit code after SIGTERM")


@test
def test_crash_sigterm_drain_then_restart():
    first = start_server("--drain-seconds", "2", "--job-lease-seconds", "2", name="drain")
    u = signup(first)
    job_id = submit_generation(first, u["token"], {"bars": 512, "seed": 6})
    wait_status(first, u["token"], job_id, "running", timeout=60)
    time.sleep(0.5)
    t0 = time.monotonic()
    first.proc.send_signal(signal.SIGTERM)
    readyz = []
    while first.proc.poll() is None and time.monotonic() - t0 < 2:
        try:
            readyz.append(first.get("/readyz", timeout=1).status)
        except OSError:
            readyz.append("refused")
        time.sleep(0.1)
    try:
        rc = first.proc.wait(timeout=2 + 5 - (time.monotonic() - t0))
    except subprocess.TimeoutExpired:
        first.kill()
        raise Failure(f"server still running {time.monotonic() - t0:.1f} s after SIGTERM with --drain-seconds 2")
    elapsed = time.monotonic() - t0
    first.reader.join(5)
    check_eq(rc, 0, "exit code after SIGTERM")
    check(elapsed <= 7, f"exit took {elapsed:.1f} s")
    check(200 not in readyz[2:], f"/readyz during the drain: {readyz}")
    print(f"    note: /readyz during the drain: {readyz}; exit after {elapsed:.1f} s")
    status = first.db_query("SELECT status FROM jobs WHERE id = ?", job_id)[0][0]
    check(status in ("queued", "succeeded"), f"job status after the drain: {status}")
    tracks = first.db_query("SELECT COUNT(*) FROM tracks WHERE job_id = ?", job_id)[0][0]
    check_eq(tracks, 1 if status == "succeeded" else 0, f"tracks of a {status} job after the drain")
    requeued = [e for e in first.logs("job_requeued") if e.get("job_id") == job_id]
    if status == "queued":
        check(requeued, "job put back to queued without a job_requeued log line")

    second = start_server("--job-lease-seconds", "2", data_dir=first.data_dir, name="drain-restart")
    check_track_complete(second, u["token"], job_id)
    check_eq(second.stop(), 0, "exit code after SIGTERM")


@test
def test_sigterm_closes_websocket_1001():
    srv = start_server(name="ws-close")
    u = signup(srv)
    ws = WebSocket(srv.port, f"/api/v1/events?token={urllib.parse.quote(u['token'])}")
    time.sleep(0.2)
    srv.proc.send_signal(signal.SIGTERM)
    code = None
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            opcode, payload = ws.recv_frame(timeout=max(0.1, deadline - time.monotonic()))
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                break
    except (OSError, ConnectionError) as e:
        raise Failure(f"WebSocket ended without a close frame: {e}")
    finally:
        try:
            ws.send_frame(0x8, struct.pack(">H", 1001))
        except OSError:
            pass
        ws.sock.close()
    check_eq(code, 1001, "close code on SIGTERM")
    try:
        rc = srv.proc.wait(30)
    except subprocess.TimeoutExpired:
        raise Failure("server did not exit within 30 s of SIGTERM")
    check_eq(rc, 0, "exit code after SIGTERM")


# ------------------------------------------------------------------------------------------------------
# Runner


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout(f"test took longer than {TEST_TIMEOUT_S} s")


def main():
    help_run = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True)
    if help_run.returncode != 0 or "--data-dir" not in help_run.stdout + help_run.stderr:
        print(f"{BIN} has no working `serve` subcommand:\n{help_run.stdout}{help_run.stderr}")
        print("0 passed, 1 failed")
        return 1
    if BACKEND == "postgres-s3":
        sys.path.insert(0, HERE)
        import backends
        try:
            STORES.append(backends.ProductionStores(WORK))
        except Exception as e:  # noqa: BLE001
            print(f"cannot start the production stores: {e}")
            print("0 passed, 1 failed")
            return 1
        print(f"backend: PostgreSQL on port {STORES[0].pg.port}, s3rver at {STORES[0].s3.endpoint}", flush=True)
    elif BACKEND != "sqlite":
        print(f"AMAPIANO_TEST_BACKEND must be sqlite or postgres-s3, not {BACKEND!r}")
        return 1
    signal.signal(signal.SIGALRM, on_alarm)
    passed, failed = [], []
    selected = SELECTED[:] = [t for t in TESTS if not ONLY or any(o in t.__name__ for o in ONLY)]
    suite_start = time.monotonic()
    try:
        for t in selected:
            start = time.monotonic()
            signal.alarm(TEST_TIMEOUT_S)
            try:
                t()
                status, detail = "PASS", ""
            except Failure as e:
                status, detail = "FAIL", str(e)
            except Exception as e:  # noqa: BLE001
                status, detail = "FAIL", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
            finally:
                signal.alarm(0)
            took = time.monotonic() - start
            (passed if status == "PASS" else failed).append(t.__name__)
            print(f"{status} {t.__name__} ({took:.1f} s){': ' + detail if detail else ''}", flush=True)
    finally:
        for s in SERVERS:
            if s.proc.poll() is None:
                s.stop(timeout=15)
        for stores in STORES:
            stores.close()
        if KEEP:
            print(f"kept {WORK}")
        else:
            shutil.rmtree(WORK, ignore_errors=True)
    print(f"suite took {time.monotonic() - suite_start:.0f} s")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
