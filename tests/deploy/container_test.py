#!/usr/bin/env python3
"""The container image and the compose stack, checked without a Docker engine.

  container_test.py AMAPIANO_BIN

deploy/Dockerfile must build with the scripts CI runs and produce a runtime stage that can run the binary:
- every script a RUN line calls exists and is also run by the Makefile or .ci/run (so CI exercises it);
  the build stage installs with `install-deps.sh --build` and builds with `build.sh image`, the runtime
  stage installs `install-deps.sh --runtime` and copies the binary from the build stage;
- the runtime package list holds a package for every shared library the release binary links directly
  (readelf NEEDED, resolved with ldd, owner found with dpkg -S), or the library is in debian:12-slim;
  and no compiler or -dev package;
- the runtime stage runs as a non-root user, has a HEALTHCHECK on /healthz, STOPSIGNAL SIGTERM and an
  exec-form ENTRYPOINT (the binary is PID 1 and receives SIGTERM itself).
deploy/terraform's ECS task definitions set only settings the README documents, and its CloudWatch metric
filters read fields that a real `queue_stats` line of the binary has.
deploy/docker-compose.yml: the api runs `serve --workers 0`, the workers `worker`, with flags the binary
accepts; every setting in their environment is one the README documents; the api's health check is
/readyz; the stop grace period exceeds the drain time.
Needs python3-yaml, binutils (readelf) and dpkg. Exits 1 on any failure.
"""
import json
import os
import re
import subprocess
import sys

import yaml

if len(sys.argv) != 2:
    sys.exit(__doc__)
BIN = os.path.realpath(sys.argv[1])
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAILURES = []
# In debian:12-slim already (Priority required: dpkg and apt need them).
BASE_IMAGE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}


def check(ok, what):
    if not ok:
        FAILURES.append(what)
        print(f"FAIL {what}", flush=True)
    return ok


def read(path):
    with open(os.path.join(REPO, path)) as f:
        return f.read()


def dockerfile_stages(text):
    """[(stage name, base image, [(instruction, argument text)])], continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    stages = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.I)
            stages.append((m.group(2), m.group(1), []))
        else:
            check(stages, f"Dockerfile: {word} before any FROM")
            stages[-1][2].append((word, rest.strip()))
    return stages


def script_calls(run_text):
    """(script path, [arguments]) for each `bash scripts/x.sh args` or `bash /tmp/x.sh args` in a RUN."""
    calls = []
    for m in re.finditer(r"bash\s+(\S+\.sh)((?:\s+[^&|;\s]+)*)", run_text):
        calls.append((m.group(1), m.group(2).split()))
    return calls


def installed_package_of(library):
    """The Debian package that owns the file ldd resolves `library` to."""
    ldd = subprocess.run(["ldd", BIN], capture_output=True, text=True, check=True).stdout
    m = re.search(rf"^\s*{re.escape(library)} => (\S+)", ldd, re.M)
    if not m:
        return None
    path = os.path.realpath(m.group(1))
    for candidate in (path, path.replace("/lib/", "/usr/lib/", 1) if path.startswith("/lib/") else None,
                      m.group(1), "/usr" + m.group(1) if m.group(1).startswith("/lib") else None):
        if not candidate:
            continue
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":", 1)[0].strip()
    return None


def package_list(*args):
    out = subprocess.run(["bash", os.path.join(REPO, "scripts/install-deps.sh"), *args, "--list"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def check_dockerfile():
    stages = dockerfile_stages(read("deploy/Dockerfile"))
    check([(s[0], s[1]) for s in stages] == [("build", "debian:12"), ("runtime", "debian:12-slim")],
          f"Dockerfile stages: {[(s[0], s[1]) for s in stages]}")
    ci_text = read("Makefile") + read(".ci/run")
    calls = {}
    for name, _, instructions in stages:
        for word, arg in instructions:
            if word == "RUN":
                for script, args in script_calls(arg):
                    calls.setdefault(name, []).append((os.path.basename(script), args))
    for stage, stage_calls in calls.items():
        for script, _ in stage_calls:
            check(os.path.isfile(os.path.join(REPO, "scripts", script)), f"{stage}: scripts/{script} missing")
            check(f"scripts/{script}" in ci_text, f"{stage}: scripts/{script} is not run by the Makefile or CI")
    check(("install-deps.sh", ["--build"]) in calls.get("build", []),
          f"build stage does not run install-deps.sh --build: {calls.get('build')}")
    check(any(s == "build.sh" and a[:1] == ["image"] for s, a in calls.get("build", [])),
          f"build stage does not run build.sh image: {calls.get('build')}")
    check(("install-deps.sh", ["--runtime"]) in calls.get("runtime", []),
          f"runtime stage does not run install-deps.sh --runtime: {calls.get('runtime')}")
    # `make build` runs build.sh too, so the image's compile is the one CI checks.
    check(re.search(r"scripts/build\.sh release", read("Makefile")), "make build does not use scripts/build.sh")

    runtime = dict((w, a) for w, a in stages[-1][2] if w != "RUN" and w != "COPY" and w != "ENV")
    runtime_all = stages[-1][2]
    user = runtime.get("USER", "root")
    check(user.split(":")[0] not in ("root", "0"), f"runtime USER is {user}")
    check("/healthz" in runtime.get("HEALTHCHECK", ""), f"HEALTHCHECK {runtime.get('HEALTHCHECK')}")
    check(runtime.get("STOPSIGNAL") == "SIGTERM", f"STOPSIGNAL {runtime.get('STOPSIGNAL')}")
    try:
        entry = json.loads(runtime.get("ENTRYPOINT", ""))
    except ValueError:
        entry = None
    check(entry == ["/usr/local/bin/amapiano"], f"ENTRYPOINT must be exec form [\"/usr/local/bin/amapiano\"]: {entry}")
    check(runtime.get("CMD") == '["serve"]', f"CMD {runtime.get('CMD')}")
    check(any(w == "COPY" and a.startswith("--from=build ") and a.endswith(" /usr/local/bin/amapiano")
              for w, a in runtime_all), "the runtime stage does not copy the binary from the build stage")

    runtime_packages = set(package_list("--runtime"))
    build_only = set(package_list("--build")) - runtime_packages
    check(not [p for p in runtime_packages if p.endswith("-dev") or p in ("build-essential", "cmake", "clang")],
          f"development packages in the runtime list: {sorted(runtime_packages)}")
    check({"ca-certificates", "curl"} <= runtime_packages, "runtime needs ca-certificates (TLS) and curl (HEALTHCHECK)")
    check(build_only, "the --build list adds nothing to --runtime")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]",
                        subprocess.run(["readelf", "-d", BIN], capture_output=True, text=True, check=True).stdout)
    check(len(needed) >= 10, f"readelf found only {needed}")
    for lib in needed:
        pkg = installed_package_of(lib)
        check(pkg is not None, f"{lib}: no Debian package owns it")
        if pkg:
            check(pkg in runtime_packages or pkg in BASE_IMAGE_PACKAGES,
                  f"{lib} comes from {pkg}, which install-deps.sh --runtime does not install")
    print(f"checked Dockerfile: {len(needed)} linked libraries covered by {len(runtime_packages)} runtime packages")


def documented_settings():
    readme = read("README.md")
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))


def check_compose():
    compose = yaml.safe_load(read("deploy/docker-compose.yml"))
    services = compose["services"]
    check({"api", "worker", "postgres", "s3"} <= set(services), f"compose services {sorted(services)}")
    documented = documented_settings()
    help_of = {}
    for name, want_command in (("api", "serve"), ("worker", "worker")):
        svc = services[name]
        check(svc.get("build", {}).get("dockerfile") == "deploy/Dockerfile", f"{name} is not built from deploy/Dockerfile")
        command = svc.get("command", [])
        check(command[:1] == [want_command], f"{name} command {command}")
        if want_command not in help_of:
            help_of[want_command] = subprocess.run([BIN, want_command, "--help"], capture_output=True, text=True).stdout
        for flag in [c for c in command if c.startswith("--")]:
            check(re.search(rf"(^|\s){re.escape(flag)}\b", help_of[want_command]),
                  f"{name}: `amapiano {want_command}` has no flag {flag}")
        env = svc.get("environment", {})
        for key in env:
            check(key in documented, f"{name}: environment {key} is not a setting the README documents")
        drain = int(env.get("AMAPIANO_DRAIN_SECONDS", 25))
        grace = svc.get("stop_grace_period", "10s")
        check(int(grace.rstrip("s")) > drain, f"{name}: stop_grace_period {grace} <= drain {drain} s")
        check(any(d.get("condition") == "service_healthy" for d in svc.get("depends_on", {}).values()),
              f"{name} does not wait for a healthy database")
    api_health = " ".join(services["api"].get("healthcheck", {}).get("test", []))
    check("/readyz" in api_health, f"api health check {api_health}")
    check(services["worker"].get("healthcheck", {}).get("disable") is True,
          "the worker (no HTTP port) must disable the image's HTTP HEALTHCHECK")
    print(f"checked compose: {len(services)} services")


def first_queue_stats_line():
    """The first queue_stats log line of `amapiano serve` started with AMAPIANO_ENVIRONMENT=prod."""
    import tempfile
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, AMAPIANO_ENVIRONMENT="prod")
        proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data,
                                 "--workers", "1"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                env=env)
        try:
            for line in proc.stderr:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "queue_stats":
                    return event
            return None
        finally:
            proc.terminate()
            proc.wait(30)


def check_queue_metric_filters():
    text = read("deploy/terraform/modules/observability/main.tf")
    fields = dict(re.findall(r'^\s*(\w+)\s*=\s*\{\s*field\s*=\s*"(\w+)"', text, re.M))
    check(set(fields) == {"QueueDepth", "RunningJobs", "OldestQueuedJobAgeSeconds"}, f"metric filter fields {fields}")
    pattern = re.search(r'pattern\s*=\s*"(.*queue_stats.*)"', text)
    check(pattern and "$.event" in pattern.group(1) and "$.environment" in pattern.group(1),
          f"metric filter pattern {pattern and pattern.group(1)}")
    line = first_queue_stats_line()
    if not check(line is not None, "amapiano serve logged no queue_stats line"):
        return
    check(line.get("environment") == "prod", f"queue_stats.environment is not AMAPIANO_ENVIRONMENT: {line}")
    for metric, field in fields.items():
        check(isinstance(line.get(field), (int, float)), f"{metric}: the queue_stats line has no number {field}: {line}")
    print(f"checked metric filters: {sorted(fields.values())} in {line}")


def check_task_definition_settings():
    text = read("deploy/terraform/modules/ecs/main.tf")
    names = set(re.findall(r"^\s+([A-Z][A-Z0-9_]+)\s+=", text, re.M))
    names |= set(re.findall(r'\{\s*name\s*=\s*"([A-Z][A-Z0-9_]+)",\s*valueFrom', text))
    check({"DB_HOST", "DB_PASSWORD", "S3_BUCKET", "AMAPIANO_URL_SIGNING_KEY", "AMAPIANO_ENVIRONMENT"} <= names,
          f"the ECS environment lacks expected settings: {sorted(names)}")
    documented = documented_settings()
    for name in sorted(names):
        check(name in documented, f"deploy/terraform/modules/ecs sets {name}, which the README does not document")
    print(f"checked ECS task settings: {len(names)} names")


def check_dockerignore():
    entries = read(".dockerignore").split()
    for want in (".git", "build*/", "data/"):
        check(want in entries, f".dockerignore lacks {want}")


def main():
    check_dockerfile()
    check_compose()
    check_queue_metric_filters()
    check_task_definition_settings()
    check_dockerignore()
    print(f"{'FAILED' if FAILURES else 'ok'}: {len(FAILURES)} failures")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
