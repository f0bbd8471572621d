"""A throwaway PostgreSQL cluster for tests: initdb in a temp folder, loopback only, its own port.

Uses Debian's binaries (/usr/lib/postgresql/*/bin, installed by .ci/run). PostgreSQL refuses to run
as root, so under root the cluster runs as the ``postgres`` user the Debian package creates."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

START_TIMEOUT_S = 60  # pg_ctl -w waits this long for the server to accept connections
USER = "planqa"  # the cluster's superuser; trust auth, loopback only


def find_bin() -> Path | None:
    """The newest Debian PostgreSQL bin folder that has initdb and pg_ctl, else None."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if (Path(d) / "initdb").is_file() and (Path(d) / "pg_ctl").is_file():
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path, folder: Path | None = None):
        """A new cluster in a temp folder, or in ``folder`` (kept: a cluster already there is reused as it is)."""
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="planqa-pg-")) if folder is None else folder
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data = self.dir / "data"
        self.port = _free_port()
        self.log = self.dir / "server.log"
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        if (self.data / "PG_VERSION").exists():
            return
        self._run(str(bindir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def fresh_database(self, name: str) -> str:
        """URL of an empty database `name` on this cluster (dropped first if a run left it)."""
        from sqlalchemy import text

        from assistant.store.sql import SqlStore

        admin = SqlStore(self.url)
        try:
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
                con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                con.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.close()
        return self.url.rsplit("/", 1)[0] + "/" + name

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as, *cmd], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.log), "-w",
                  "-t", str(START_TIMEOUT_S), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
