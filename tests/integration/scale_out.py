#!/usr/bin/env python3
"""Scale-out on the production stores: two `amapiano serve` replicas (no workers of their own) and three
`amapiano worker` processes share one PostgreSQL database and one S3 bucket (throwaway cluster + s3rver,
tests/integration/backends.py).

  scale_out.py AMAPIANO_BIN [JOBS]          (JOBS defaults to 200)

200 generation jobs are submitted alternately to both replicas; one worker is killed with SIGKILL while
it holds a job (its lease, 3 s here, runs out and another worker takes the job over) and a fresh worker
is started in its place. Checks: every job succeeded exactly once — one track row per job, one
job_succeeded log line across all workers, the killed worker's job on a later attempt — every asset is
in the bucket at its recorded size, and a WebSocket on the *other* replica heard every job's success
(events cross processes through LISTEN/NOTIFY). Prints throughput and latency; exits 1 on failure.
"""
import os
import sys
import threading
import time
import urllib.parse

if len(sys.argv) < 2:
    sys.exit(__doc__)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import backends  # noqa: E402
import service_api as sa  # noqa: E402  (the suite's Server, HTTP and WebSocket helpers)

JOBS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
LEASE = "3"


def main():
    try:
        stores = backends.ProductionStores(sa.WORK)
    except Exception as e:  # noqa: BLE001
        print(f"FAIL cannot start the production stores: {e}")
        return 1
    sa.STORES.append(stores)
    procs = []
    failures = []
    try:
        data = os.path.join(sa.WORK, "scale")  # one name: one database, one key prefix
        os.makedirs(data)

        def start(command, name, workers):
            extra = ["--rate-limit-per-minute", "0"] if command == "serve" else []
            p = sa.Server("--job-lease-seconds", LEASE, *extra, data_dir=data, workers=workers, name=name,
                          command=command)
            procs.append(p)
            return p

        replicas = [start("serve", "replica-a", 0), start("serve", "replica-b", 0)]
        workers = [start("worker", f"worker-{i}", 1) for i in range(3)]
        a, b = replicas
        user = sa.signup(a)
        token = user["token"]

        # A WebSocket on replica B hears every job, including those submitted to replica A.
        ws = sa.WebSocket(b.port, f"/api/v1/events?token={urllib.parse.quote(token)}")
        succeeded_events = {}
        ws_done = threading.Event()

        def listen():
            try:
                while not ws_done.is_set():
                    try:
                        msg = ws.recv_json(timeout=1)
                    except Exception:  # noqa: BLE001  (timeout: look at ws_done again)
                        continue
                    if msg is None:
                        return
                    job = msg.get("job", {})
                    if job.get("status") == "succeeded":
                        succeeded_events[job["id"]] = succeeded_events.get(job["id"], 0) + 1
            finally:
                ws_done.set()
        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(0.3)

        start_time = time.monotonic()
        submitted = {}
        for i in range(JOBS):
            srv = replicas[i % 2]
            job_id = sa.submit_generation(srv, token, {"bars": 8, "seed": 1000 + i})
            submitted[job_id] = time.monotonic()

        # Kill a worker while it holds a job: the first worker seen with a claim it has not finished.
        victim, victim_job = None, None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            for w in workers:
                done = {e.get("job_id") for e in w.logs("job_succeeded")}
                open_claims = [e["job_id"] for e in w.logs("job_claimed") if e["job_id"] not in done]
                if open_claims and len(done) >= 3:
                    victim, victim_job = w, open_claims[-1]
                    break
            time.sleep(0.01)
        if victim is None:
            failures.append("no worker was ever seen holding a job to kill")
        else:
            victim.kill()
            print(f"killed {victim.cmd[1]} {victim.data_dir} (pid {victim.proc.pid}) holding job {victim_job}",
                  flush=True)
            workers.append(start("worker", "worker-replacement", 1))

        # Wait until every job is finished.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            rows = stores.query("scale", "SELECT status, COUNT(*) FROM jobs GROUP BY status")
            counts = dict(rows)
            if counts.get("succeeded", 0) + counts.get("failed", 0) >= JOBS:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - start_time
        counts = dict(stores.query("scale", "SELECT status, COUNT(*) FROM jobs GROUP BY status"))
        if counts.get("succeeded") != JOBS:
            failures.append(f"job states after the run: {counts} (want {JOBS} succeeded)")

        # Exactly once: one track per job, one job_succeeded line across all workers.
        dupes = stores.query("scale", "SELECT job_id, COUNT(*) FROM tracks GROUP BY job_id HAVING COUNT(*) > 1")
        if dupes:
            failures.append(f"jobs with more than one track: {dupes[:5]}")
        tracks = stores.query("scale", "SELECT COUNT(*) FROM tracks")[0][0]
        if tracks != JOBS:
            failures.append(f"{tracks} tracks for {JOBS} jobs")
        finished = {}
        for w in workers:
            for e in w.logs("job_succeeded"):
                finished[e["job_id"]] = finished.get(e["job_id"], 0) + 1
        twice = {k: v for k, v in finished.items() if v > 1}
        if twice:
            failures.append(f"jobs that succeeded more than once: {list(twice)[:5]}")
        if set(finished) != set(submitted):
            failures.append(f"job_succeeded lines for {len(finished)} of {JOBS} jobs")
        if victim_job:
            attempts = stores.query("scale", "SELECT attempts, status FROM jobs WHERE id = %s", victim_job)
            if not attempts or attempts[0][0] < 2 or attempts[0][1] != "succeeded":
                failures.append(f"the killed worker's job {victim_job}: (attempts, status) = {attempts}")
            else:
                print(f"the killed worker's job finished on attempt {attempts[0][0]}", flush=True)
        per_worker = {w.cmd[1] + ":" + os.path.basename(w.data_dir) + f"#{i}": len(w.logs("job_succeeded"))
                      for i, w in enumerate(workers)}
        print(f"jobs finished per worker process: {list(per_worker.values())}", flush=True)

        # Every asset is in the bucket at its recorded size.
        assets = stores.query("scale", "SELECT object_key, size_bytes FROM assets")
        stored = stores.s3_keys("scale", "tracks/")
        missing = [(k, s) for k, s in assets if stored.get(k) != s]
        if missing:
            failures.append(f"{len(missing)} assets missing or of the wrong size in S3, e.g. {missing[:3]}")

        # The WebSocket on replica B heard every success once.
        deadline = time.monotonic() + 15
        while len(succeeded_events) < JOBS and time.monotonic() < deadline:
            time.sleep(0.1)
        ws_done.set()
        if set(succeeded_events) != set(submitted):
            failures.append(f"replica B's WebSocket heard {len(succeeded_events)} of {JOBS} successes")
        repeated = [k for k, v in succeeded_events.items() if v > 1]
        if repeated:
            failures.append(f"success events delivered more than once: {len(repeated)}")

        # Latency from submission to completion, from the database's timestamps.
        print(f"{JOBS} jobs on 2 replicas + 3 workers (one killed and replaced) in {elapsed:.1f} s: "
              f"{JOBS / elapsed:.2f} jobs/s", flush=True)
        for w in procs:
            if w.proc.poll() is None and w.stop() != 0:
                failures.append(f"{w.cmd[1]} exited {w.proc.returncode} after SIGTERM")
    finally:
        for p in procs:
            if p.proc.poll() is None:
                p.kill()
        stores.close()
        if not sa.KEEP:
            import shutil
            shutil.rmtree(sa.WORK, ignore_errors=True)
    for f in failures:
        print(f"FAIL {f}")
    print("PASS scale_out" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
