#!/usr/bin/env python3
"""Copy throughput of `amapiano migrate` on this machine, against loopback stores.

  bench/migrate_copy.py [AMAPIANO_BIN]        (default <repo>/build/amapiano)

storage: a local directory of OBJECTS objects (mixed sizes like a real deployment: mostly 1-8 MiB renders,
some small MIDI/JSON, two of 24 MiB that S3 takes as multipart uploads) copied to s3rver (SigV4 checked;
tests/integration/backends.py) with --parallel 1, 4 and 16, each into a fresh prefix, then one
--verify-only pass. db: a SQLite database with ROWS job rows (plus users) copied to PostgreSQL, and back
from PostgreSQL to a fresh SQLite file. Prints MB/s, objects/s and rows/s from the tool's own summary
lines next to the wall time. s3rver is a single Node process writing to the same disk, so the storage
figures are a floor for what S3 itself would take. A benchmark: it fails only on errors, not on timing.
Environment: OBJECTS (default 240), ROWS (default 100000).
"""
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import backends  # noqa: E402

BIN = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "build", "amapiano"))
OBJECTS = int(os.environ.get("OBJECTS", "240"))
ROWS = int(os.environ.get("ROWS", "100000"))


def migrate(args, env):
    start = time.monotonic()
    r = subprocess.run([BIN, "migrate", *args], capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    summary = {}
    for line in r.stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == "summary":
            summary = e
    if r.returncode != 0 or not summary.get("ok"):
        sys.exit(f"migrate {' '.join(args)} failed ({r.returncode}): {r.stderr[-800:]} {summary}")
    return summary, wall


def main():
    work = tempfile.mkdtemp(prefix="amapiano-migrate-bench-")
    stores = backends.ProductionStores(work)
    try:
        # --- objects ---
        src = os.path.join(work, "objects")
        rng = random.Random(1)
        total = 0
        for i in range(OBJECTS):
            if i < 2:
                size = 24 << 20
            elif i % 5 == 0:
                size = rng.randint(200, 20000)
            else:
                size = rng.randint(1 << 20, 8 << 20)
            path = os.path.join(src, "tracks", f"t{i // 10:03d}", f"object-{i:04d}.bin")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(rng.randbytes(size))
            total += size
        print(f"storage: {OBJECTS} objects, {total / 1e6:.0f} MB, file:// -> s3rver on loopback")
        print(f"{'parallel':>8} {'wall s':>8} {'MB/s':>8} {'objects/s':>10}")
        for parallel in (1, 4, 16):
            env = dict(os.environ)
            env.update(stores.service_env(f"p{parallel}"))
            s, wall = migrate(["storage", "--from", "file://" + src, "--to", env["AMAPIANO_STORAGE_URL"],
                               "--parallel", str(parallel)], env)
            print(f"{parallel:>8} {wall:>8.1f} {s['mb_per_s']:>8.1f} {s['objects_per_s']:>10.1f}", flush=True)
        s, wall = migrate(["storage", "--from", "file://" + src, "--to", env["AMAPIANO_STORAGE_URL"],
                           "--parallel", "16", "--verify-only"], env)
        print(f"verify-only (parallel 16, both sides hashed): {wall:.1f} s, "
              f"{s.get('verify_mb_per_s', 0):.1f} MB/s", flush=True)

        # --- rows ---
        # The schema comes from the binary itself: a worker started once on an empty data dir creates it.
        source_dir = os.path.join(work, "source")
        worker = subprocess.Popen([BIN, "worker", "--data-dir", source_dir, "--workers", "1"],
                                  stderr=subprocess.PIPE, text=True)
        for line in worker.stderr:
            if '"worker_started"' in line:
                break
        worker.terminate()
        worker.wait(30)
        db_path = os.path.join(source_dir, "amapiano.sqlite3")
        db = sqlite3.connect(db_path)
        now = "2026-11-27T00:00:00.000Z"
        db.executemany("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?,?,?,?,?)",
                       [(f"u{i:06d}", f"u{i}@example.com", f"User {i}", "$argon2id$" + "x" * 80, now)
                        for i in range(ROWS // 10)])
        db.executemany("INSERT INTO jobs (id, user_id, kind, status, progress, params, result, attempts, "
                       "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [(f"j{i:07d}", f"u{i % (ROWS // 10):06d}", "generation", "succeeded", 1.0,
                         json.dumps({"bars": 32, "seed": i, "formats": ["wav", "mp3"]}),
                         json.dumps({"track_id": f"j{i:07d}", "bpm": 112.5, "key": "F# minor"}), 1, now, now)
                        for i in range(ROWS)])
        db.commit()
        rows = ROWS + ROWS // 10 + 1
        db.close()
        env = dict(os.environ)
        env.update(stores.service_env("rows"))
        s, wall = migrate(["db", "--from", "sqlite://" + db_path, "--to", env["DATABASE_URL"]], env)
        print(f"db: {rows} rows sqlite -> postgresql: {wall:.1f} s wall, {s['rows_per_s']:.0f} rows/s, "
              f"{s['mb_per_s']:.1f} MB/s", flush=True)
        s, wall = migrate(["db", "--from", "sqlite://" + db_path, "--to", env["DATABASE_URL"], "--verify-only"], env)
        print(f"db: verify-only (counts + per-table SHA-256 on both sides): {wall:.1f} s", flush=True)
        back = os.path.join(work, "back.sqlite3")
        s, wall = migrate(["db", "--from", env["DATABASE_URL"], "--to", "sqlite://" + back], env)
        print(f"db: {rows} rows postgresql -> sqlite: {wall:.1f} s wall, {s['rows_per_s']:.0f} rows/s", flush=True)
    finally:
        stores.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
