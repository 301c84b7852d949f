#!/usr/bin/env python3
"""Moving a deployment from the embedded stores to the production ones with `amapiano migrate`.

  migrate_deployment.py AMAPIANO_BIN

1. A populated SQLite + directory deployment: a real `amapiano serve` makes tracks (mixes in two formats,
   stems, MIDI) and analyses uploads for three users; then thousands of rows (users, sessions, jobs) and a
   hundred more objects (one of 20 MiB, so S3 multipart is used) are added.
2. `migrate db --verify` to PostgreSQL and `migrate storage --parallel 8 --verify` to S3 (s3rver, which
   checks signatures; tests/integration/backends.py) both pass; a service started on the target serves the
   same tracks to the same users, with byte-identical downloads.
3. Interrupted copies (SIGKILL mid-run) resume without duplicating: the rerun copies only the rest (it
   reports what it skipped) and verifies.
4. An object corrupted and rows deleted / changed in the target are reported by `--verify-only`, exit 1,
   naming each.
Prints the copy rates it measured. Exits 1 on any failure.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

if len(sys.argv) < 2:
    sys.exit(__doc__)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import backends  # noqa: E402
import service_api as sa  # noqa: E402

BIN = sa.BIN
FAILURES = []


def check(ok, what):
    if not ok:
        FAILURES.append(what)
        print(f"FAIL {what}", flush=True)
    return ok


def run_migrate(args, env, kill_when=None, kill_after=None):
    """Runs `amapiano migrate ...` with stdout a pipe (JSON lines). Returns (exit code, events, stderr).
    kill_when(events) -> True, or kill_after() -> True (polled), kills it with SIGKILL (an interrupted copy)."""
    proc = subprocess.Popen([BIN, "migrate", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    if kill_after is not None:
        import threading

        def watch():
            while proc.poll() is None and not kill_after():
                time.sleep(0.02)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        threading.Thread(target=watch, daemon=True).start()
    events = []
    for line in proc.stdout:
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"event": "text", "line": line})
        if kill_when and kill_when(events):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    err = proc.stderr.read()
    return proc.returncode, events, err


def summary(events):
    s = [e for e in events if e.get("event") == "summary"]
    return s[-1] if s else {}


def populate_source(work):
    data = os.path.join(work, "source")
    srv = sa.Server(data_dir=data, workers=2, name="source")
    users = []
    for i in range(3):
        u = sa.signup(srv, email=f"user{i}@example.com")
        users.append(u)
        # Stems on a quarter of the tracks keep the bytes moderate (a stem set is ~30 MB).
        jobs = [sa.submit_generation(srv, u["token"], {"bars": 8, "seed": 100 * i + k, "stems": k % 4 == 0,
                                                       "midi": True, "formats": ["wav", "mp3"]}) for k in range(8)]
        for j in jobs:
            sa.wait_succeeded(srv, u["token"], j, timeout=300)
        clip = sa.audio_clip()["data"]
        r = srv.post("/api/v1/analyses", body=clip, token=u["token"], headers={"Content-Type": "audio/wav"})
        sa.expect(r, 202, what="analysis upload")
        sa.wait_succeeded(srv, u["token"], r.json["job"]["id"])
    check(srv.stop() == 0, "source service stopped cleanly")

    # Bulk rows (thousands) and objects (a hundred more, one large) beside the real ones.
    db = sqlite3.connect(os.path.join(data, "amapiano.sqlite3"))
    now = "2026-11-27T00:00:00.000Z"
    db.executemany("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                   [(f"bulk{i:05d}", f"bulk{i}@example.com", f"Bülk Üser {i} 🎹", "x" * 90, now) for i in range(2000)])
    db.executemany("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                   [(hashlib.sha256(str(i).encode()).hexdigest(), f"bulk{i % 2000:05d}", now, now)
                    for i in range(2500)])
    db.executemany("INSERT INTO jobs (id, user_id, kind, status, progress, params, result, attempts, created_at, "
                   "updated_at) VALUES (?, ?, 'analysis', 'succeeded', ?, ?, ?, 1, ?, ?)",
                   [(f"bulkjob{i:05d}", f"bulk{i % 2000:05d}", 1.0, json.dumps({"filename": f"take {i}.wav"}),
                     json.dumps({"bpm": 112.0 + i / 1000, "key": "F# minor"}), now, now) for i in range(3000)])
    db.commit()
    rows = sum(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
               for t in ("users", "sessions", "jobs", "tracks", "assets", "service_keys"))
    db.close()
    objects = os.path.join(data, "objects")
    rng = random.Random(7)
    for i in range(100):
        path = os.path.join(objects, "uploads", "bulk", f"part-{i:03d}.bin")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        size = 20 << 20 if i == 0 else rng.choice([0, 1, 100, 4096, 65536, 1 << 20])
        with open(path, "wb") as f:
            f.write(rng.randbytes(size))
    count = sum(len(files) for _, _, files in os.walk(objects))
    print(f"source: {rows} rows, {count} objects", flush=True)
    check(rows >= 7000, f"source has {rows} rows")
    check(count >= 200, f"source has {count} objects")
    return data, users


def sha_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    work = sa.WORK
    stores = backends.ProductionStores(work)
    try:
        source, users = populate_source(work)
        src_db = "sqlite://" + os.path.join(source, "amapiano.sqlite3")
        src_objects = "file://" + os.path.join(source, "objects")
        env = dict(os.environ)
        env.update(stores.service_env("target"))
        target_db, target_objects = env["DATABASE_URL"], env["AMAPIANO_STORAGE_URL"]

        # --- the copy, verified --------------------------------------------------------------------------
        start = time.monotonic()
        rc, events, err = run_migrate(["db", "--from", src_db, "--to", target_db, "--verify"], env)
        s = summary(events)
        check(rc == 0 and s.get("ok") is True, f"migrate db --verify: exit {rc}, summary {s}, stderr {err[-500:]}")
        print(f"migrate db: {time.monotonic() - start:.1f} s, summary {json.dumps(s)}", flush=True)
        start = time.monotonic()
        rc, events, err = run_migrate(["storage", "--from", src_objects, "--to", target_objects, "--parallel", "8",
                                       "--verify"], env)
        s = summary(events)
        check(rc == 0 and s.get("ok") is True, f"migrate storage --verify: exit {rc}, summary {s}, stderr {err[-500:]}")
        print(f"migrate storage: {time.monotonic() - start:.1f} s, summary {json.dumps(s)}", flush=True)
        check(any(e.get("event") == "progress" for e in events), "no JSON progress lines when stdout is a pipe")

        # --- the service on the target serves the same tracks ------------------------------------------
        target = sa.Server(data_dir=os.path.join(work, "target-service"), workers=1, name="target", env=env)
        for u in users:
            r = target.post("/api/v1/auth/login", json_body={"email": u["email"], "password": u["password"]})
            sa.expect(r, 200, what=f"login of {u['email']} on the target")
            token = r.json["token"]
            listed = sa.expect(target.get("/api/v1/tracks?limit=100", token=token), 200, what="tracks").json["items"]
            check(sorted(t["id"] for t in listed) == sorted(
                r[0] for r in sqlite3.connect(os.path.join(source, "amapiano.sqlite3")).execute(
                    "SELECT id FROM tracks WHERE user_id = ?", (u["user"]["id"],))),
                f"{u['email']}'s tracks on the target differ from the source")
            track = sa.get_track(target, token, listed[0]["id"])
            for a in track["assets"]:
                r = target.get(a["url"])
                key = os.path.join(source, "objects", "tracks", track["id"], a["name"])
                check(r.status == 200 and hashlib.sha256(r.body).hexdigest() == sha_of(key),
                      f"download of {a['name']} from the target differs from the source file")
        # A new job on the target works too (the queue, the bucket).
        token = target.post("/api/v1/auth/login", json_body={"email": users[0]["email"],
                                                             "password": users[0]["password"]}).json["token"]
        sa.wait_succeeded(target, token, sa.submit_generation(target, token, {"bars": 8, "seed": 9}))
        check(target.stop() == 0, "target service stopped cleanly")

        # --- interrupted copies resume without duplicating ---------------------------------------------
        env2 = dict(os.environ)
        env2.update(stores.service_env("resume"))
        rc, events, _ = run_migrate(["storage", "--from", src_objects, "--to", env2["AMAPIANO_STORAGE_URL"],
                                     "--parallel", "1"], env2,
                                    kill_when=lambda ev: any(e.get("event") == "progress" and e.get("done", 0) >= 40
                                                             for e in ev))
        check(rc == -signal.SIGKILL, f"the first storage copy was to be killed, exit {rc}")
        partial = len(stores.s3_keys("resume"))
        rc, events, err = run_migrate(["storage", "--from", src_objects, "--to", env2["AMAPIANO_STORAGE_URL"],
                                       "--parallel", "4", "--verify"], env2)
        s = summary(events)
        check(rc == 0 and s.get("ok") is True, f"resumed storage copy: exit {rc}, {s}, {err[-300:]}")
        check(s.get("skipped", 0) >= partial - 1 and partial >= 40,
              f"the resumed copy should skip the {partial} objects already there: {s}")
        source_keys = {os.path.relpath(os.path.join(d, n), os.path.join(source, "objects"))
                       for d, _, files in os.walk(os.path.join(source, "objects")) for n in files if not n.startswith(".")}
        check(set(stores.s3_keys("resume")) == source_keys, "the bucket's keys after the resumed copy differ")

        # One row per batch (one target transaction each) makes the copy take seconds; it is killed once
        # the target holds a few hundred rows.
        def some_rows_copied():
            try:
                return stores.query("resume", "SELECT COUNT(*) FROM users")[0][0] >= 300
            except Exception:  # noqa: BLE001  (no schema yet)
                return False
        rc, events, _ = run_migrate(["db", "--from", src_db, "--to", env2["DATABASE_URL"], "--batch", "1"], env2,
                                    kill_after=some_rows_copied)
        check(rc == -signal.SIGKILL, f"the first db copy was to be killed, exit {rc}")
        tables = ("users", "sessions", "jobs", "tracks", "assets", "service_keys")
        rows_partial = sum(stores.query("resume", f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables)
        rc, events, err = run_migrate(["db", "--from", src_db, "--to", env2["DATABASE_URL"], "--verify"], env2)
        s = summary(events)
        check(rc == 0 and s.get("ok") is True, f"resumed db copy: exit {rc}, {s}, {err[-300:]}")
        src = sqlite3.connect(os.path.join(source, "amapiano.sqlite3"))
        src_rows = sum(src.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables)
        check(0 < rows_partial < src_rows, f"the killed db copy left {rows_partial} of {src_rows} rows")
        check(s.get("rows_copied") == src_rows - rows_partial,
              f"the resumed copy copied {s.get('rows_copied')} rows, want the remaining {src_rows - rows_partial}")
        for t in tables:
            check(stores.query("resume", f"SELECT COUNT(*) FROM {t}")[0][0] ==
                  src.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0], f"{t}: rows duplicated or lost")
        print(f"resume: storage killed after {partial} objects, db after {rows_partial} of {src_rows} rows; "
              f"both resumed and verified", flush=True)

        # --- differences in the target are found --------------------------------------------------------
        victim = "uploads/bulk/part-005.bin"
        size = os.path.getsize(os.path.join(source, "objects", victim))
        body = bytearray(open(os.path.join(source, "objects", victim), "rb").read())
        if body:
            body[len(body) // 2] ^= 0xFF
        else:
            body = bytearray(b"x")
        stores.s3.client.put_object(Bucket=backends.BUCKET, Key="target/" + victim, Body=bytes(body))
        stores.s3.client.delete_object(Bucket=backends.BUCKET, Key="target/uploads/bulk/part-006.bin")
        rc, events, err = run_migrate(["storage", "--from", src_objects, "--to", target_objects, "--verify-only"], env)
        text = json.dumps(events)
        check(rc == 1, f"storage --verify-only on a corrupted target: exit {rc} (want 1)")
        check(victim in text and "part-006.bin" in text, f"the corrupted/deleted objects are not named: {text[-800:]}")
        print(f"corrupted object ({size} bytes) and deleted object reported", flush=True)

        stores.query("target", "DELETE FROM sessions WHERE token_hash = %s", hashlib.sha256(b"17").hexdigest())
        stores.query("target", "UPDATE users SET display_name = 'changed' WHERE id = 'bulk00042'")
        rc, events, err = run_migrate(["db", "--from", src_db, "--to", target_db, "--verify-only"], env)
        text = json.dumps(events)
        check(rc == 1, f"db --verify-only on a changed target: exit {rc} (want 1)")
        check(hashlib.sha256(b"17").hexdigest() in text and "bulk00042" in text,
              f"the deleted session / changed user are not named: {text[-800:]}")
    finally:
        for s in sa.SERVERS:
            if s.proc.poll() is None:
                s.kill()
        stores.close()
        if not sa.KEEP:
            shutil.rmtree(sa.WORK, ignore_errors=True)
    print("PASS migrate_deployment" if not FAILURES else f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
