"""A Spark standalone cluster on loopback for the `spark_cluster` target (docs/spark.md): a master, one
worker and a Thrift server submitted to the master, three separate JVMs started from the pyspark
package (its bin/spark-class and bin/spark-submit), with their warehouse, Derby metastore and logs
in one folder.

    segments spark-cluster run -- dbt build --target spark_cluster
    segments spark-cluster serve      # until Ctrl-C, for a shell of its own

`run` starts the cluster, waits until each part is ready (the master's port, the worker registered
with the master, the Thrift server's port), runs the command with SEGMENTS_SPARK_THRIFT_PORT and
SEGMENTS_SPARK_DIR set, and stops the cluster whatever the command's outcome, also on Ctrl-C or
SIGTERM, returning the command's exit code. Each JVM is the leader of a process group of its own
(the worker's executors are in the worker's group), and stopping kills the whole group: TERM, then
KILL after a grace period. On Linux each JVM also gets TERM when this script dies, so even a killed
script leaves no JVM behind.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from store_segments.dbt_door import REPO_ROOT

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
# The Thrift port the profile's spark_cluster target reads.
THRIFT_PORT_VARIABLE = "SEGMENTS_SPARK_THRIFT_PORT"
# The master and the worker daemon only schedule: a small heap each (SPARK_DAEMON_MEMORY).
DAEMON_MEMORY = "512m"
# Seconds a JVM gets to exit after TERM before its process group is killed.
STOP_GRACE_SECONDS = 20.0
PROJECT_DIR = REPO_ROOT
LOG_TAIL_LINES = 30


class ClusterError(RuntimeError):
    """A part of the cluster did not start."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where the cluster runs and how big it is. Sized for a 2-core, 24 GB machine shared with other
    work: the worker offers 2 cores and worker_memory to one executor of the Thrift server, whose
    driver (the Thrift server itself) plans the queries; ~5 GB of heap in all."""

    spark_home: Path
    work_dir: Path
    thrift_port: int
    master_port: int
    master_ui_port: int
    worker_port: int
    worker_ui_port: int
    worker_cores: int = 2
    worker_memory: str = "2g"
    executor_memory: str = "2g"
    driver_memory: str = "2g"
    log4j_config: Path = PROJECT_DIR / "spark" / "log4j2.properties"
    # Spark settings of every session the Thrift server opens (see thrift_server_conf).
    extra_conf: dict[str, str] = field(default_factory=dict)

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.master_port}"

    @property
    def warehouse_dir(self) -> Path:
        return self.work_dir / "spark-warehouse"

    def log(self, name: str) -> Path:
        return self.work_dir / "logs" / f"{name}.log"


def thrift_server_conf(config: ClusterConfig) -> dict[str, str]:
    """The Thrift server's Spark settings. The session time zone and ANSI mode are set here, on the
    server, like a cluster's spark-defaults.conf: the same values as the `spark` target's
    server_side_parameters (profiles.yml)."""
    return {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": os.environ.get("SEGMENTS_SPARK_ANSI", "true"),
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": str(config.worker_cores),
        "spark.cores.max": str(config.worker_cores),
        "spark.executor.cores": str(config.worker_cores),
        "spark.executor.memory": config.executor_memory,
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": str(config.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={config.work_dir / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={config.work_dir} -Dlog4j2.configurationFile={config.log4j_config}"
        ),
        "spark.executor.extraJavaOptions": f"-Dlog4j2.configurationFile={config.log4j_config}",
        **config.extra_conf,
    }


def master_command(config: ClusterConfig) -> list[str]:
    return [
        str(config.spark_home / "bin" / "spark-class"), MASTER_CLASS,
        "--host", HOST, "--port", str(config.master_port), "--webui-port", str(config.master_ui_port),
    ]


def worker_command(config: ClusterConfig) -> list[str]:
    return [
        str(config.spark_home / "bin" / "spark-class"), WORKER_CLASS,
        "--host", HOST, "--port", str(config.worker_port), "--webui-port", str(config.worker_ui_port),
        "--cores", str(config.worker_cores), "--memory", config.worker_memory,
        "--work-dir", str(config.work_dir / "worker"),
        config.master_url,
    ]


def thrift_server_command(config: ClusterConfig) -> list[str]:
    """spark-submit of the Thrift server in client mode: the server is the driver, its executor
    runs on the worker."""
    conf = [argument for key, value in thrift_server_conf(config).items() for argument in ("--conf", f"{key}={value}")]
    return [
        str(config.spark_home / "bin" / "spark-submit"),
        "--master", config.master_url,
        "--deploy-mode", "client",
        "--name", "segments Thrift server",
        "--driver-memory", config.driver_memory,
        *conf,
        "--class", THRIFT_SERVER_CLASS,
        "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
        "--hiveconf", f"hive.server2.thrift.port={config.thrift_port}",
    ]


def service_env(config: ClusterConfig, daemon: bool) -> dict[str, str]:
    """The environment of one JVM: this Spark, its own (empty) conf folder, logs in the work folder.
    SPARK_DAEMON_MEMORY sizes the master and the worker; spark-submit would take it for the Thrift
    server's driver too, so it is left out there."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("SPARK_", "PYSPARK_")) and key != "HADOOP_CONF_DIR"
    }
    env.update({
        "SPARK_HOME": str(config.spark_home),
        "SPARK_CONF_DIR": str(config.work_dir / "conf"),
        "SPARK_LOG_DIR": str(config.work_dir / "logs"),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOCAL_DIRS": str(config.work_dir / "local"),
    })
    if daemon:
        env["SPARK_DAEMON_MEMORY"] = DAEMON_MEMORY
    return env


def free_port() -> int:
    """A TCP port nobody listens on now (the OS's choice)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = HOST) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def alive_workers(master_ui_port: int) -> int:
    """Workers the master lists as ALIVE (its web UI's JSON); 0 while the UI does not answer."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{master_ui_port}/json/", timeout=2) as response:
            state = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return 0
    return sum(1 for worker in state.get("workers", []) if worker.get("state") == "ALIVE")


def log_tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not log.exists():
        return f"(no log at {log})"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Service:
    """One started JVM: the leader of its own process group."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def exited(self) -> bool:
        return self.process.poll() is not None


def wait_until(
    ready: Callable[[], bool],
    what: str,
    timeout: float,
    service: Service | None = None,
    interval: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once ready() holds; raise ClusterError with the service's log tail after `timeout`
    seconds, or as soon as the service has exited."""
    deadline = clock() + timeout
    while not ready():
        if service is not None and service.exited():
            raise ClusterError(
                f"{service.name} exited with code {service.process.returncode} before {what}; "
                f"the end of {service.log}:\n{log_tail(service.log)}"
            )
        if clock() >= deadline:
            where = f"; the end of {service.log}:\n{log_tail(service.log)}" if service else ""
            raise ClusterError(f"{what}: not ready after {timeout:.0f} s{where}")
        sleep(interval)


def _die_with_parent() -> None:
    """In the child before exec: TERM when the parent (this script) dies (Linux prctl)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_service(name: str, command: Sequence[str], log: Path, env: dict[str, str]) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
    return Service(name=name, process=process, log=log)


def _group_stats(pgid: int) -> list[list[str]]:
    """/proc/<pid>/stat of the group's processes, from the field after the command name on
    (state, ppid, pgrp, ...); zombies included."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            found.append(fields)
    return found


def group_cpu_seconds(pgid: int) -> float:
    """User and system CPU seconds of the group's running processes (Linux; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    running = [fields for fields in _group_stats(pgid) if fields[0] not in ("Z", "X")]
    return sum(int(fields[11]) + int(fields[12]) for fields in running) / ticks


def group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. A zombie (exited, not yet reaped by init) does not
    count: on Linux the group's members are read from /proc; elsewhere a signal 0 probes the group."""
    if Path("/proc").is_dir():
        return any(fields[0] not in ("Z", "X") for fields in _group_stats(pgid))
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_service(service: Service, grace: float = STOP_GRACE_SECONDS) -> None:
    """TERM to the service's process group, KILL to it after `grace` seconds; returns when the
    leader is reaped and no process of the group runs."""
    pgid = service.process.pid  # start_new_session: the leader's pid is the group id
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if service.process.poll() is not None and not group_alive(pgid):
            return
        time.sleep(0.1)
    _signal_group(pgid, signal.SIGKILL)
    service.process.wait()
    while group_alive(pgid):
        time.sleep(0.1)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


@dataclass(frozen=True)
class Timeouts:
    """Seconds each part may take to become ready (a loaded machine starts JVMs slowly)."""

    master: float = 90.0
    worker: float = 90.0
    thrift_server: float = 240.0


@contextmanager
def running_cluster(config: ClusterConfig, timeouts: Timeouts = Timeouts()) -> Iterator[list[Service]]:
    """The master, the worker and the Thrift server, started in that order and each ready before
    the next; all stopped, in reverse order, when the block is left in any way."""
    for folder in ("conf", "logs", "worker", "local"):
        (config.work_dir / folder).mkdir(parents=True, exist_ok=True)
    services: list[Service] = []
    try:
        master = start_service("master", master_command(config), config.log("master"), service_env(config, True))
        services.append(master)
        wait_until(lambda: port_open(config.master_port), f"the Spark master ({config.master_url})",
                   timeouts.master, master)
        worker = start_service("worker", worker_command(config), config.log("worker"), service_env(config, True))
        services.append(worker)
        wait_until(lambda: alive_workers(config.master_ui_port) >= 1,
                   f"the Spark worker registered with the master (http://{HOST}:{config.master_ui_port})",
                   timeouts.worker, worker)
        thrift = start_service("thrift server", thrift_server_command(config), config.log("thrift-server"),
                               service_env(config, False))
        services.append(thrift)
        wait_until(lambda: port_open(config.thrift_port), f"the Thrift server on {HOST}:{config.thrift_port}",
                   timeouts.thrift_server, thrift)
        yield services
    finally:
        # A number for the log: CPU of each process group (the worker's includes its executor).
        used = ", ".join(f"{s.name} {group_cpu_seconds(s.process.pid):.0f} s" for s in services)
        print(f"Spark cluster CPU time: {used}", file=sys.stderr, flush=True)
        for service in reversed(services):
            stop_service(service)


def _raise_system_exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def default_config(work_dir: Path, thrift_port: int | None = None) -> ClusterConfig:
    """The pyspark package's Spark, free ports (the Thrift port from SEGMENTS_SPARK_THRIFT_PORT when set)."""
    import pyspark  # noqa: PLC0415 - only where the cluster starts: .venv-spark has it, .venv does not

    if thrift_port is None:
        configured = os.environ.get(THRIFT_PORT_VARIABLE)
        thrift_port = int(configured) if configured else free_port()
    return ClusterConfig(
        spark_home=Path(pyspark.__file__).resolve().parent,
        work_dir=work_dir.resolve(),
        thrift_port=thrift_port,
        master_port=free_port(),
        master_ui_port=free_port(),
        worker_port=free_port(),
        worker_ui_port=free_port(),
    )


def cluster_env(config: ClusterConfig) -> dict[str, str]:
    """What a command run against the cluster needs: the `spark_cluster` target's port, and where
    the warehouse is (SEGMENTS_SPARK_DIR, as for the `spark` target)."""
    return {THRIFT_PORT_VARIABLE: str(config.thrift_port), "SEGMENTS_SPARK_DIR": str(config.work_dir)}


def run_command(command: Sequence[str], env: dict[str, str]) -> int:
    """The command's exit code. Interrupted (Ctrl-C, SIGTERM to this script), the command's process
    group is stopped like a service: the test run and the dbt processes it started."""
    process = subprocess.Popen(list(command), env=env, start_new_session=True, preexec_fn=_die_with_parent)
    try:
        return process.wait()
    finally:
        if process.poll() is None or group_alive(process.pid):
            stop_service(Service(name="command", process=process, log=Path(os.devnull)), grace=10.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("run", "serve"))
    parser.add_argument("command", nargs="*", help="run: the command to run against the cluster (after --)")
    parser.add_argument("--dir", type=Path, help="warehouse, metastore and logs (default: a new temporary folder)")
    parser.add_argument("--thrift-port", type=int, help=f"default: ${THRIFT_PORT_VARIABLE}, else a free port")
    args = parser.parse_args(argv)
    if args.action == "run" and not args.command:
        parser.error("run needs a command: spark_cluster.py run -- <command>")
    previous = {signum: signal.signal(signum, _raise_system_exit) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _start_and_run(args.action, args.command, args.dir, args.thrift_port)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _start_and_run(action: str, command: list[str], work_dir: Path | None, thrift_port: int | None) -> int:
    with tempfile.TemporaryDirectory(prefix="spark-cluster-") as temporary:
        config = default_config(work_dir or Path(temporary), thrift_port)
        started = time.monotonic()
        try:
            with running_cluster(config):
                print(
                    f"Spark cluster ready in {time.monotonic() - started:.0f} s: master {config.master_url}, "
                    f"Thrift server {HOST}:{config.thrift_port}, warehouse {config.warehouse_dir}, "
                    f"logs {config.work_dir / 'logs'}",
                    file=sys.stderr, flush=True,
                )
                if action == "serve":
                    print(f"export {THRIFT_PORT_VARIABLE}={config.thrift_port}; stop with Ctrl-C", file=sys.stderr)
                    signal.pause()
                    return 0
                return run_command(command, {**os.environ, **cluster_env(config)})
        except ClusterError as error:
            print(f"spark_cluster: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        finally:
            print("Spark cluster stopped.", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
