"""src/store_segments/bench/spark_cluster.py without Java: the command lines it builds, its readiness messages, and that
stopping kills every process of a service's group, also when a later part of the cluster fails to
start. The cluster itself is proven by `make test-spark-cluster`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from store_segments.bench import spark_cluster
from store_segments.bench.spark_cluster import (
    ClusterConfig,
    ClusterError,
    Service,
    Timeouts,
    cluster_env,
    group_alive,
    group_cpu_seconds,
    master_command,
    running_cluster,
    service_env,
    start_service,
    stop_service,
    thrift_server_command,
    wait_until,
    worker_command,
)


def config(tmp_path: Path) -> ClusterConfig:
    return ClusterConfig(
        spark_home=Path("/opt/spark"), work_dir=tmp_path, thrift_port=10123, master_port=7177,
        master_ui_port=8180, worker_port=7178, worker_ui_port=8181,
    )


def conf_values(command: list[str]) -> dict[str, str]:
    pairs = [command[i + 1] for i, argument in enumerate(command) if argument == "--conf"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_master_and_worker_listen_on_loopback_and_the_worker_joins_the_master(tmp_path: Path) -> None:
    master = master_command(config(tmp_path))
    worker = worker_command(config(tmp_path))
    assert master[:2] == ["/opt/spark/bin/spark-class", "org.apache.spark.deploy.master.Master"]
    assert master[master.index("--host") + 1] == "127.0.0.1" and master[master.index("--port") + 1] == "7177"
    assert worker[1] == "org.apache.spark.deploy.worker.Worker"
    assert worker[worker.index("--cores") + 1] == "2" and worker[worker.index("--memory") + 1] == "2g"
    assert worker[-1] == "spark://127.0.0.1:7177"
    assert worker[worker.index("--work-dir") + 1] == str(tmp_path / "worker")


def test_the_thrift_server_is_submitted_to_the_master_with_the_targets_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEGMENTS_SPARK_ANSI", raising=False)
    command = thrift_server_command(config(tmp_path))
    assert command[0] == "/opt/spark/bin/spark-submit"
    assert command[command.index("--master") + 1] == "spark://127.0.0.1:7177"
    assert command[command.index("--class") + 1] == "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
    hiveconf = [command[i + 1] for i, argument in enumerate(command) if argument == "--hiveconf"]
    assert hiveconf == ["hive.server2.thrift.bind.host=127.0.0.1", "hive.server2.thrift.port=10123"]
    conf = conf_values(command)
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.ansi.enabled"] == "true"
    # Warehouse and metastore in the cluster's own folder, where the parity test reads the tables.
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "spark-warehouse")
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        f"jdbc:derby:;databaseName={tmp_path / 'metastore_db'};create=true"
    )
    assert conf["spark.cores.max"] == "2" and conf["spark.executor.memory"] == "2g"


def test_ansi_mode_follows_the_same_variable_as_the_spark_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGMENTS_SPARK_ANSI", "false")
    assert conf_values(thrift_server_command(config(tmp_path)))["spark.sql.ansi.enabled"] == "false"


def test_daemon_memory_sizes_master_and_worker_but_not_the_thrift_servers_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPARK_HOME", "/elsewhere")
    monkeypatch.setenv("SPARK_DAEMON_MEMORY", "64g")
    daemon = service_env(config(tmp_path), daemon=True)
    driver = service_env(config(tmp_path), daemon=False)
    assert daemon["SPARK_DAEMON_MEMORY"] == "512m" and "SPARK_DAEMON_MEMORY" not in driver
    assert driver["SPARK_HOME"] == "/opt/spark" and driver["SPARK_CONF_DIR"] == str(tmp_path / "conf")


def test_the_command_learns_the_port_and_the_warehouse_folder(tmp_path: Path) -> None:
    assert cluster_env(config(tmp_path)) == {
        "SEGMENTS_SPARK_THRIFT_PORT": "10123", "SEGMENTS_SPARK_DIR": str(tmp_path),
    }


def test_a_part_that_never_gets_ready_fails_with_its_name_the_timeout_and_its_log(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    log.write_text("starting\nno route to master\n")
    service = start_service("worker", ["sleep", "30"], log, dict(os.environ))
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    try:
        with pytest.raises(ClusterError, match=r"the worker registered: not ready after 5 s") as raised:
            wait_until(lambda: False, "the worker registered", 5, service, clock=lambda: now[0], sleep=sleep)
    finally:
        stop_service(service)
    assert "no route to master" in str(raised.value)


def test_a_part_that_exits_fails_at_once_with_its_exit_code(tmp_path: Path) -> None:
    service = start_service("master", ["sh", "-c", "echo Address already in use; exit 3"], tmp_path / "m.log", {})
    service.process.wait()
    with pytest.raises(ClusterError, match="master exited with code 3") as raised:
        wait_until(lambda: False, "the master", 600, service)
    assert "Address already in use" in str(raised.value)


def test_stop_kills_the_whole_group_also_a_child_that_ignores_term(tmp_path: Path) -> None:
    # The leader ignores TERM and has a child (as the worker has executors): both must go.
    log = tmp_path / "w.log"
    service = start_service("worker", ["sh", "-c", "trap '' TERM; echo trapped; sleep 300 & wait"], log, {})
    wait_until(lambda: "trapped" in log.read_text(), "the trap", 10, service, interval=0.05)
    stop_service(service, grace=0.5)
    assert service.process.returncode == -signal.SIGKILL
    assert not group_alive(service.process.pid)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_cpu_time_is_counted_over_the_group(tmp_path: Path) -> None:
    """The worker's number includes its executors: a busy child of the leader counts."""
    log = tmp_path / "busy.log"
    busy = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo done; sleep 300"
    service = start_service("worker", ["sh", "-c", f"sh -c '{busy}' & wait"], log, {})
    try:
        wait_until(lambda: "done" in log.read_text(), "the busy child", 30, service, interval=0.05)
        assert group_cpu_seconds(service.process.pid) > 0.05
    finally:
        stop_service(service)
    assert group_cpu_seconds(service.process.pid) == 0


def test_a_failed_start_stops_what_was_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Service] = []

    def record(name: str, command: list[str], log: Path, env: dict[str, str]) -> Service:
        service = start_service(name, ["sh", "-c", "sleep 300 & wait"], log, env)
        started.append(service)
        return service

    monkeypatch.setattr(spark_cluster, "start_service", record)
    monkeypatch.setattr(spark_cluster, "port_open", lambda port: True)
    monkeypatch.setattr(spark_cluster, "alive_workers", lambda port: 0)
    with pytest.raises(ClusterError, match="worker registered"):
        with running_cluster(config(tmp_path), Timeouts(master=5, worker=0.5, thrift_server=5)):
            pytest.fail("the cluster cannot be ready without a worker")
    assert [service.name for service in started] == ["master", "worker"]
    assert not any(group_alive(service.process.pid) for service in started)


def test_run_needs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        spark_cluster.main(["run"])
    assert "run needs a command" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux only")
def test_a_service_dies_with_the_script(tmp_path: Path) -> None:
    """A service started by a process that is killed (no finally runs) gets TERM from the kernel."""
    pid_file = tmp_path / "pid"
    script = (
        "import os, sys, time; from pathlib import Path; from store_segments.bench.spark_cluster import start_service; "
        f"s = start_service('x', ['sleep', '300'], Path({str(tmp_path / 'x.log')!r}), dict(os.environ)); "
        f"Path({str(pid_file)!r}).write_text(str(s.process.pid)); time.sleep(300)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the parent did not start its service"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    parent.kill()
    parent.wait()
    while group_alive(child):
        assert time.monotonic() < deadline, "the service outlived the killed script"
        time.sleep(0.05)


def test_run_gives_the_commands_exit_code_with_the_clusters_port_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` wiring without Java: the cluster replaced by a block that starts nothing."""
    @contextmanager
    def no_cluster(_config: ClusterConfig) -> Iterator[list[Service]]:
        yield []

    monkeypatch.setattr(spark_cluster, "default_config", lambda work_dir, port: config(tmp_path))
    monkeypatch.setattr(spark_cluster, "running_cluster", no_cluster)
    seen = tmp_path / "seen"
    command = f'echo "$SEGMENTS_SPARK_THRIFT_PORT $SEGMENTS_SPARK_DIR" > {seen}; exit 7'
    assert spark_cluster.main(["run", "--", "sh", "-c", command]) == 7
    assert seen.read_text().split() == ["10123", str(tmp_path)]
