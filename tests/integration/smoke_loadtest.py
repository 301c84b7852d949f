#!/usr/bin/env python3
"""`amapiano smoke URL` and `amapiano loadtest URL` against real services.

  smoke_loadtest.py AMAPIANO_BIN [PART_NAME_SUBSTRING ...]

a) an embedded service (SQLite + objects dir, rate limit off): `smoke --json` exits 0 with all 8 steps
   passed, and the throwaway account is gone afterwards — no users, sessions, jobs or tracks rows, no
   objects under tracks/ or uploads/;
b) the text output has one PASS line per step, in order, and the summary line; --header is sent;
c) a port where nothing listens: exit 1 within 15 s, health FAIL with curl's reason, the steps after it
   SKIP, cleanup "nothing to clean up"; a bad URL or --header is a usage error (exit 2);
d) a service whose /readyz fails (its objects directory removed under it, as when a volume goes away):
   readiness FAIL naming the objects check, exit 1, and the account still cleaned up;
e) PostgreSQL + S3 (s3rver; tests/integration/backends.py) with --asset-delivery redirect: smoke passes,
   the downloads and the range request having followed 302s to presigned s3rver URLs; nothing is left in
   the database or the bucket;
f) `loadtest --generations 8 --concurrency 4 --read-seconds 3 --json` on the embedded service: exit 0,
   8 generations and reads without errors, percentiles ordered, the account deleted; the default
   targets (3000 ms generation p95, 500 ms API p95) are used unchanged;
g) the same against a service limited to 60 requests a minute: rate_limited > 0 with the hint, exit 1,
   and the account still deleted.
Prints the timings it measured. Standard library only, plus what backends.py needs for e). Exits 1 on
any failure.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import traceback

if len(sys.argv) < 2:
    sys.exit(__doc__)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import backends  # noqa: E402
import service_api as sa  # noqa: E402

BIN = sa.BIN
ONLY = sa.ONLY
STEPS = ["health", "readiness", "signup", "login", "generation", "analysis", "signed_url", "cleanup"]
FAILURES = []
TIMINGS = []


def check(ok, what):
    if not ok:
        FAILURES.append(what)
        print(f"    FAIL {what}", flush=True)
    return ok


def run(args, timeout=600):
    """Runs `amapiano ARGS`; returns (exit code, stdout, stderr, seconds)."""
    start = time.monotonic()
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def parse_json(out, what):
    try:
        return json.loads(out)
    except ValueError as e:
        raise sa.Failure(f"{what}: stdout is not one JSON document ({e}): {out[:500]!r}")


def url_of(srv):
    return f"http://127.0.0.1:{srv.port}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def steps_by_name(doc):
    return {s["name"]: s for s in doc.get("steps", [])}


def describe(doc):
    return "; ".join(f"{s['name']} {s['status']}: {s['detail']}" for s in doc.get("steps", []))


def check_smoke_doc(doc, url, what):
    check(doc.get("url") == url, f"{what}: url {doc.get('url')!r}, want {url!r}")
    check([s.get("name") for s in doc.get("steps", [])] == STEPS, f"{what}: steps {doc.get('steps')}")
    for s in doc.get("steps", []):
        check(set(s) == {"name", "status", "ms", "detail"}, f"{what}: step fields {sorted(s)}")
        check(isinstance(s.get("ms"), (int, float)) and s["ms"] >= 0, f"{what}: {s.get('name')} ms {s.get('ms')}")
    check(isinstance(doc.get("seconds"), (int, float)), f"{what}: seconds {doc.get('seconds')!r}")


def smoke_email(doc):
    m = re.search(r"(smoke-\d+-[0-9a-f]{8}@smoke\.invalid)", steps_by_name(doc).get("signup", {}).get("detail", ""))
    return m.group(1) if m else None


def check_nothing_left(query, objects, what):
    """No account, session, job, track or asset row and no track or upload object: the throwaway
    account went with everything it made (the services here serve only these tests)."""
    for table in ("users", "sessions", "jobs", "tracks", "assets"):
        n = query(f"SELECT COUNT(*) FROM {table}")[0][0]
        check(n == 0, f"{what}: {n} rows left in {table}")
    for prefix in ("tracks/", "uploads/"):
        left = objects(prefix)
        check(not left, f"{what}: objects left under {prefix}: {sorted(left)[:5]}")


def check_login_refused(srv, email):
    r = srv.post("/api/v1/auth/login", json_body={"email": email, "password": "x" * 24})
    check(r.status == 401, f"login as the deleted {email}: {r.status}")


# ------------------------------------------------------------------------------------------------------
# The parts


def part_a_smoke_json(ctx):
    srv = ctx["embedded"]()
    url = url_of(srv)
    rc, out, err, took = run(["smoke", url, "--json"])
    doc = parse_json(out, "smoke --json")
    TIMINGS.append(f"smoke (embedded stores): {took:.2f} s wall, {doc.get('seconds')} s reported; "
                   + ", ".join(f"{s['name']} {s['ms']:.0f} ms" for s in doc.get("steps", [])))
    check(rc == 0, f"smoke --json exit {rc} (want 0): {describe(doc)}; stderr {err[-300:]}")
    check(doc.get("passed") is True, f"passed {doc.get('passed')!r}")
    check_smoke_doc(doc, url, "smoke --json")
    for s in doc.get("steps", []):
        check(s["status"] == "pass", f"step {s['name']}: {s['status']}: {s['detail']}")
    email = smoke_email(doc)
    check(email is not None, f"the signup step does not name the account: {describe(doc)}")
    if email:
        check_login_refused(srv, email)
    check_nothing_left(srv.db_query, srv.objects, "after smoke --json")


def part_b_smoke_text(ctx):
    srv = ctx["embedded"]()
    url = url_of(srv)
    # --header reaches the service with every request (the service logs a sane X-Request-Id it is sent).
    rc, out, err, took = run(["smoke", "--header", "X-Request-Id: smoke-text-run", url])
    lines = out.rstrip("\n").split("\n")
    check(rc == 0, f"smoke exit {rc}: {out[-1500:]} {err[-300:]}")
    check(len(lines) == len(STEPS) + 1, f"{len(lines)} lines, want {len(STEPS) + 1}: {out}")
    for name, line in zip(STEPS, lines):
        check(re.match(rf"PASS  {name} +\d+ ms   \S", line), f"line for {name}: {line!r}")
    check(re.fullmatch(rf"smoke: 8/8 passed against {re.escape(url)} in \d+\.\d s", lines[-1]),
          f"summary line {lines[-1]!r}")
    tagged = [e for e in srv.logs("request") if e.get("request_id") == "smoke-text-run"]
    check(len(tagged) >= 10 and any(e.get("route") == "/api/v1/auth/me" and e.get("method") == "DELETE"
                                    for e in tagged), f"{len(tagged)} requests carried the --header")
    check_nothing_left(srv.db_query, srv.objects, "after smoke (text)")


def part_c_unreachable(ctx):
    url = f"http://127.0.0.1:{free_port()}"
    rc, out, err, took = run(["smoke", url, "--json"], timeout=60)
    doc = parse_json(out, "smoke against a dead port")
    TIMINGS.append(f"smoke against a dead port: {took:.2f} s")
    check(rc == 1, f"exit {rc} against a dead port (want 1)")
    check(took < 15, f"took {took:.1f} s against a dead port")
    check(doc.get("passed") is False, f"passed {doc.get('passed')!r}")
    check_smoke_doc(doc, url, "smoke against a dead port")
    steps = steps_by_name(doc)
    health = steps.get("health", {})
    check(health.get("status") == "fail" and "connect" in health.get("detail", "").lower(),
          f"health step: {health}")
    for name in STEPS[1:-1]:
        check(steps.get(name, {}).get("status") == "skip", f"{name}: {steps.get(name)}")
    check(steps.get("cleanup", {}).get("status") == "pass" and steps["cleanup"]["detail"] == "nothing to clean up",
          f"cleanup: {steps.get('cleanup')}")
    # Text mode says the same.
    rc, out, _, _ = run(["smoke", url], timeout=60)
    check(rc == 1 and out.startswith("FAIL  health") and "SKIP  readiness" in out and
          re.search(r"smoke: FAILED 7 of 8 steps against ", out), f"text against a dead port: exit {rc}: {out}")
    # Usage errors.
    for args in (["smoke", "ftp://example.com"], ["smoke", "example.com:8080"],
                 ["smoke", url, "--header", "no-colon"], ["smoke", url, "--timeout", "0"],
                 ["loadtest", "ftp://example.com"], ["loadtest", url, "--concurrency", "0"]):
        rc, out, err, _ = run(args, timeout=60)
        check(rc == 2, f"{' '.join(args)}: exit {rc} (want 2); {err.strip()[:200]}")


def part_d_not_ready(ctx):
    srv = sa.start_server("--rate-limit-per-minute", "0", name="notready")
    # The objects directory disappears under the running service (a volume gone): /readyz's probe of
    # the store fails, and that is what readiness must report.
    shutil.rmtree(os.path.join(srv.data_dir, "objects"))
    r = srv.get("/readyz")
    check(r.status == 503, f"/readyz with the objects dir removed: {r.status} {r.body[:200]!r}")
    url = url_of(srv)
    rc, out, err, took = run(["smoke", url, "--json"])
    doc = parse_json(out, "smoke against a service that is not ready")
    steps = steps_by_name(doc)
    check(rc == 1, f"exit {rc} (want 1) against a service that is not ready")
    check(doc.get("passed") is False, f"passed {doc.get('passed')!r}")
    readiness = steps.get("readiness", {})
    check(readiness.get("status") == "fail" and "503" in readiness.get("detail", "") and
          "objects" in readiness.get("detail", ""), f"readiness step: {readiness}")
    check(steps.get("health", {}).get("status") == "pass", f"health: {steps.get('health')}")
    check(steps.get("cleanup", {}).get("status") == "pass", f"cleanup: {steps.get('cleanup')}")
    check_nothing_left(srv.db_query, srv.objects, "after smoke against a service that is not ready")
    srv.stop()


def part_e_postgres_s3_redirect(ctx):
    stores = ctx["stores"]()
    name = "smoke_redirect"
    srv = sa.start_server("--rate-limit-per-minute", "0", "--asset-delivery", "redirect", name="redirect",
                          env=stores.service_env(name))
    url = url_of(srv)
    rc, out, err, took = run(["smoke", url, "--json"])
    doc = parse_json(out, "smoke on PostgreSQL + S3 with redirects")
    TIMINGS.append(f"smoke (PostgreSQL + S3, redirect delivery): {took:.2f} s")
    check(rc == 0, f"exit {rc} on PostgreSQL + S3 with redirects: {describe(doc)}; stderr {err[-300:]}")
    check_smoke_doc(doc, url, "smoke with redirects")
    steps = steps_by_name(doc)
    for s in doc.get("steps", []):
        check(s["status"] == "pass", f"step {s['name']}: {s['status']}: {s['detail']}")
    s3 = stores.s3.endpoint
    check("through redirects" in steps.get("generation", {}).get("detail", ""),
          f"the downloads did not go through redirects: {steps.get('generation')}")
    check(f"via {s3}" in steps.get("signed_url", {}).get("detail", ""),
          f"the range request did not follow the redirect to {s3}: {steps.get('signed_url')}")
    # The redirect really was a presigned S3 URL: the service's request log shows 302s for the assets.
    redirects = [e for e in srv.logs("request") if e.get("route") == "/api/v1/assets/{track_id}/{name}"
                 and e.get("status") == 302]
    check(len(redirects) >= 2, f"{len(redirects)} asset requests answered 302")
    check_nothing_left(lambda sql: stores.query(name, sql), lambda prefix: stores.s3_keys(name, prefix),
                       "after smoke on PostgreSQL + S3")
    srv.stop()


def part_f_loadtest(ctx):
    srv = ctx["embedded"]()
    url = url_of(srv)
    # The default targets (generation p95 3000 ms, API reads p95 500 ms): 8-bar generations render in
    # about half a second, so 4 in flight on 2 workers stay well inside them on a 2-core machine.
    rc, out, err, took = run(["loadtest", url, "--generations", "8", "--concurrency", "4", "--read-seconds", "3",
                              "--json"])
    doc = parse_json(out, "loadtest --json")
    gen, api = doc.get("generation", {}), doc.get("api", {})
    TIMINGS.append(f"loadtest 8 generations x4, 3 s reads: {took:.1f} s; generation end-to-end p50 "
                   f"{gen.get('p50_ms')} p95 {gen.get('p95_ms')} p99 {gen.get('p99_ms')} max {gen.get('max_ms')} ms; "
                   f"POST accept p95 {gen.get('accept', {}).get('p95_ms')} ms; API reads {api.get('count')} "
                   f"({api.get('per_second')}/s) p50 {api.get('p50_ms')} p95 {api.get('p95_ms')} p99 {api.get('p99_ms')} ms")
    check(rc == 0, f"loadtest exit {rc} (want 0): {out[-1500:]} {err[-500:]}")
    check(doc.get("passed") is True, f"passed {doc.get('passed')!r}")
    check(gen.get("count") == 8 and gen.get("errors") == 0, f"generation count/errors {gen}")
    check(gen.get("accept", {}).get("count") == 8, f"accept {gen.get('accept')}")
    check(gen.get("target_p95_ms") == 3000 and api.get("target_p95_ms") == 500,
          f"targets {gen.get('target_p95_ms')} / {api.get('target_p95_ms')}")
    check(gen.get("met") is True and api.get("met") is True, f"met {gen.get('met')} / {api.get('met')}")
    check(isinstance(api.get("count"), int) and api["count"] > 0 and api.get("errors") == 0, f"api {api}")
    check(doc.get("rate_limited") == 0 and "hint" not in doc, f"rate_limited {doc.get('rate_limited')}")
    metrics = [("generation", gen), ("accept", gen.get("accept", {})), ("api", api)]
    metrics += [(route, m) for route, m in api.get("routes", {}).items()]
    check(len(api.get("routes", {})) == 4, f"routes {list(api.get('routes', {}))}")
    for what, m in metrics:
        p = [m.get("p50_ms"), m.get("p95_ms"), m.get("p99_ms"), m.get("max_ms")]
        check(all(isinstance(x, (int, float)) for x in p) and p == sorted(p) and p[0] > 0,
              f"{what}: percentiles not ordered p50<=p95<=p99<=max: {p}")
        check(m.get("count", 0) > 0, f"{what}: no samples")
    check(re.fullmatch(r"loadtest-\d+-[0-9a-f]{8}@smoke\.invalid", doc.get("account", {}).get("email", "")),
          f"account {doc.get('account')}")
    check(doc.get("account", {}).get("deleted") is True, f"account {doc.get('account')}")
    check_nothing_left(srv.db_query, srv.objects, "after loadtest")


def part_g_loadtest_rate_limited(ctx):
    srv = sa.start_server("--rate-limit-per-minute", "60", name="limited")
    url = url_of(srv)
    rc, out, err, took = run(["loadtest", url, "--generations", "4", "--concurrency", "2", "--read-seconds", "3",
                              "--json"])
    doc = parse_json(out, "loadtest against a rate-limited service")
    TIMINGS.append(f"loadtest against 60 requests/min: {took:.1f} s, rate_limited {doc.get('rate_limited')}")
    hint = "the service's per-user rate limit throttled the test; raise --rate-limit-per-minute on the target " \
           "or run with fewer reads"
    check(rc == 1, f"exit {rc} (want 1) when rate limited: {out[-800:]}")
    check(isinstance(doc.get("rate_limited"), int) and doc["rate_limited"] > 0, f"rate_limited {doc.get('rate_limited')}")
    check(doc.get("hint") == hint, f"hint {doc.get('hint')!r}")
    check(hint in err, f"the hint is not printed on stderr: {err[-500:]}")
    check(doc.get("passed") is False, f"passed {doc.get('passed')!r}")
    check(doc.get("generation", {}).get("errors") == 0 and doc.get("api", {}).get("errors") == 0,
          f"429s were counted as errors: {doc.get('generation')} {doc.get('api')} {doc.get('errors')}")
    check(doc.get("account", {}).get("deleted") is True, f"account {doc.get('account')}")
    check_nothing_left(srv.db_query, srv.objects, "after the rate-limited loadtest")
    srv.stop()


PARTS = [part_a_smoke_json, part_b_smoke_text, part_c_unreachable, part_d_not_ready, part_e_postgres_s3_redirect,
         part_f_loadtest, part_g_loadtest_rate_limited]


def main():
    ctx = {}
    embedded, stores = [], []

    def get_embedded():
        if not embedded:
            embedded.append(sa.start_server("--rate-limit-per-minute", "0", name="embedded"))
        return embedded[0]

    def get_stores():
        if not stores:
            stores.append(backends.ProductionStores(sa.WORK))
        return stores[0]

    ctx["embedded"], ctx["stores"] = get_embedded, get_stores
    passed = failed = 0
    start = time.monotonic()
    try:
        for part in PARTS:
            if ONLY and not any(o in part.__name__ for o in ONLY):
                continue
            before = len(FAILURES)
            t0 = time.monotonic()
            try:
                part(ctx)
            except Exception as e:  # noqa: BLE001
                FAILURES.append(f"{part.__name__}: {type(e).__name__}: {e}")
                print(f"    {type(e).__name__}: {e}\n{traceback.format_exc()}", flush=True)
            ok = len(FAILURES) == before
            passed, failed = passed + ok, failed + (not ok)
            print(f"{'PASS' if ok else 'FAIL'} {part.__name__} ({time.monotonic() - t0:.1f} s)", flush=True)
    finally:
        for s in sa.SERVERS:
            if s.proc.poll() is None:
                s.stop(timeout=15)
        for st in stores:
            st.close()
        if sa.KEEP:
            print(f"kept {sa.WORK}")
        else:
            shutil.rmtree(sa.WORK, ignore_errors=True)
    for t in TIMINGS:
        print(f"timing: {t}")
    print(f"suite took {time.monotonic() - start:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
