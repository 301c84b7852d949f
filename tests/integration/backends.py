"""Production-style stores for the service tests: a throwaway PostgreSQL cluster and an S3-compatible
server (s3rver, which checks Signature V4), both on loopback, plus the environment that points
`amapiano serve` / `amapiano worker` at them.

    stores = ProductionStores(work_dir)          # starts both (raises StoresUnavailable with the reason)
    env = stores.service_env("alice")            # a fresh database + key prefix named "alice"
    stores.query("alice", "SELECT COUNT(*) FROM jobs WHERE id = %s", job_id)
    stores.s3_keys("alice", "tracks/")           # object keys (without the prefix) and sizes
    stores.close()

PostgreSQL: Debian's binaries (/usr/lib/postgresql/<v>/bin), initdb into a temp dir with trust auth,
run as the `postgres` user when we are root. S3: node + @20minutes/s3rver from tests/support/s3rver
(scripts/install-peers.sh installs it). Queries use python3-psycopg2, S3 listings python3-botocore
(Debian packages, /usr/bin/python3).
"""
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
S3RVER_PACKAGE = os.path.join(REPO, "tests", "support", "s3rver")
BUCKET = "amapiano-test"
ACCESS_KEY = SECRET_KEY = "S3RVER"


class StoresUnavailable(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self, work, settings=()):
        """settings: extra server settings, e.g. ("wal_level=logical",)."""
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            raise StoresUnavailable("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
        self.bin = os.path.dirname(bins[-1])
        # Its own folder directly under the temp dir, so the postgres user can reach it whatever the
        # caller's work dir permissions are.
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="amapiano-pg-")
        self.as_user = []
        if os.getuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise StoresUnavailable("running as root and there is no postgres user")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        data = os.path.join(self.dir, "data")
        r = subprocess.run(self.as_user + [os.path.join(self.bin, "initdb"), "-D", data, "-U", "postgres",
                                           "--auth=trust", "--no-sync", "-E", "UTF8"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise StoresUnavailable(f"initdb failed: {r.stderr[-500:]}")
        self.pg_ctl = self.as_user + [os.path.join(self.bin, "pg_ctl"), "-D", data]
        r = subprocess.run(self.pg_ctl + ["-w", "-l", os.path.join(self.dir, "server.log"), "-o",
                                          f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                                          "-c fsync=off -c max_connections=300"
                                          + "".join(f" -c {kv}" for kv in settings), "start"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise StoresUnavailable(f"pg_ctl start failed: {r.stderr[-500:]}")
        import psycopg2  # noqa: F401  (fail early and clearly when the package is missing)

    def url(self, database):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        import psycopg2
        conn = psycopg2.connect(self.url("postgres"))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()

    def query(self, database, sql, *args):
        import psycopg2
        conn = psycopg2.connect(self.url(database))
        try:
            with conn.cursor() as cur:
                cur.execute(sql, args)
                rows = cur.fetchall() if cur.description else []
            conn.commit()
            return rows
        finally:
            conn.close()

    def stop(self):
        subprocess.run(self.pg_ctl + ["-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class S3rver:
    def __init__(self, work):
        cli = os.path.join(S3RVER_PACKAGE, "node_modules", "@20minutes", "s3rver", "lib", "cli.js")
        if not os.path.exists(cli):
            raise StoresUnavailable(f"s3rver is not installed in {S3RVER_PACKAGE} (run scripts/install-peers.sh)")
        node = shutil.which("node")
        if not node:
            raise StoresUnavailable("no node on PATH (Node.js runs s3rver)")
        self.dir = os.path.join(work, "s3")
        os.makedirs(self.dir)
        self.log_path = os.path.join(self.dir, "s3rver.log")
        script = ("const [cli, ...args] = process.argv.slice(1);"
                  "require(cli).parseAsync(['node', 's3rver', ...args])"
                  ".catch((e) => { console.error(e); process.exit(1); });")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([node, "--openssl-legacy-provider", "-e", script, "--", cli,
                                      "-d", os.path.join(self.dir, "data"), "-a", "127.0.0.1", "-p", "0",
                                      "--configure-bucket", BUCKET],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        self.endpoint = None
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                m = re.search(r"S3rver listening on [^\s:]+:(\d+)", f.read())
            if m:
                self.endpoint = f"http://127.0.0.1:{m.group(1)}"
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.endpoint:
            self.stop()
            raise StoresUnavailable("s3rver did not start: " + open(self.log_path).read()[-500:])
        import botocore.session
        self.client = botocore.session.get_session().create_client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY)

    def keys(self, prefix):
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = o["Size"]
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class ProductionStores:
    """PostgreSQL + S3 for `amapiano serve`: one database and one key prefix per name."""

    def __init__(self, work):
        self.pg = PostgresCluster(work)
        try:
            self.s3 = S3rver(work)
        except Exception:
            self.pg.stop()
            raise
        self.names = set()

    @staticmethod
    def database_name(name):
        return re.sub(r"[^a-z0-9_]", "_", name.lower())[:60]

    def service_env(self, name):
        db = self.database_name(name)
        if db not in self.names:
            self.pg.create_database(db)
            self.names.add(db)
        return {"DATABASE_URL": self.pg.url(db), "AMAPIANO_STORAGE_URL": f"s3://{BUCKET}/{db}",
                "S3_ENDPOINT": self.s3.endpoint, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def query(self, name, sql, *args):
        return self.pg.query(self.database_name(name), sql.replace("?", "%s"), *args)

    def s3_keys(self, name, prefix=""):
        base = self.database_name(name) + "/"
        return {k[len(base):]: v for k, v in self.s3.keys(base + prefix).items()}

    def close(self):
        self.s3.stop()
        self.pg.stop()


if __name__ == "__main__":
    # backends.py WORK_DIR ENV_FILE [NAME]: starts the stores, writes NAME's service environment to
    # ENV_FILE (KEY=VALUE lines, for `set -a; source`), and keeps them up until SIGTERM/SIGINT.
    import signal
    import sys
    if len(sys.argv) < 3:
        sys.exit("usage: backends.py WORK_DIR ENV_FILE [NAME]")
    os.makedirs(sys.argv[1], exist_ok=True)
    stores = ProductionStores(sys.argv[1])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    try:
        env = stores.service_env(sys.argv[3] if len(sys.argv) > 3 else "bench")
        tmp = sys.argv[2] + ".tmp"
        with open(tmp, "w") as f:
            for k, v in env.items():
                f.write(f"{k}={v}\n")
        os.rename(tmp, sys.argv[2])
        while not stopping:
            time.sleep(0.2)
    finally:
        stores.close()
