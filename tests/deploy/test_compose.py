"""docker-compose.yml, deploy/Dockerfile and deploy/nginx.conf say what the
topology test runs: Docker cannot run here, so what can be checked without
it is checked (the file parses, it has the documented services, their
commands are the ones deploy/local_topology.py runs, every variable it sets
is one the settings read, nginx accepts the configuration)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy"))
import local_topology  # noqa: E402

COMPOSE = REPO / "docker-compose.yml"
SETTINGS = (REPO / "gongkai" / "settings.py").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_has_the_documented_topology(compose):
    services = compose["services"]
    assert {"proxy", "web1", "web2", "worker1", "worker2", "postgres", "redis", "minio"} <= set(services)
    assert services["proxy"]["image"].startswith("nginx")
    assert services["postgres"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert services["minio"]["image"].startswith("minio/")
    # The proxy waits for both web processes, which wait for the database to be prepared once.
    assert set(services["proxy"]["depends_on"]) == {"web1", "web2"}
    for name in ("web1", "web2", "worker1", "worker2"):
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert services["init"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_runs_the_commands_the_topology_test_runs(compose):
    services = compose["services"]
    for name in ("web1", "web2"):
        assert services[name]["command"] == local_topology.web_command("0.0.0.0", 8000)
    for name in ("worker1", "worker2"):
        assert services[name]["command"] == local_topology.WORKER_COMMAND
    assert services["init"]["command"] == local_topology.PREPARE_COMMAND
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    assert yaml.safe_load(cmd) == local_topology.web_command("0.0.0.0", 8000)
    assert re.search(r"^RUN pip install \.$", dockerfile, re.M)  # S3 storage and RQ come with the package


def _gongkai_environment(compose) -> dict:
    return compose["services"]["web1"]["environment"]


def test_every_variable_compose_sets_is_read_by_the_settings(compose):
    example = (REPO / "deploy" / "gongkai.env.example").read_text(encoding="utf-8")
    names = set(_gongkai_environment(compose)) | {
        line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")}
    compose_only = {"POSTGRES_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "GONGKAI_HTTP_PORT"}
    for name in sorted(names - compose_only):
        assert f'"{name}"' in SETTINGS, f"{name} is set for the containers but gongkai/settings.py never reads it"


def test_the_local_topology_sets_what_compose_sets(compose, tmp_path):
    topo = local_topology.Topology(tmp_path, "postgresql://postgres@127.0.0.1:5432/none")
    env = topo.env()
    for name in _gongkai_environment(compose):
        assert name in env, f"compose sets {name}, deploy/local_topology.py does not"
    assert env["GONGKAI_TRUSTED_PROXIES"] == "127.0.0.1"
    assert env["GONGKAI_CLIENT_IP_META_KEY"] == _gongkai_environment(compose)["GONGKAI_CLIENT_IP_META_KEY"]
    assert compose["services"]["proxy"]["networks"]["gongkai"]["ipv4_address"] == \
        _gongkai_environment(compose)["GONGKAI_TRUSTED_PROXIES"]


@pytest.mark.skipif(not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")),
                    reason="nginx is not installed (CI installs it: .ci/run)")
def test_nginx_accepts_the_configuration(tmp_path):
    conf = local_topology.render_nginx(18080, ["127.0.0.1:18001", "127.0.0.1:18002"], tmp_path, trust_forwarded=True)
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    done = subprocess.run([local_topology.nginx_binary(), "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # The shipped file itself, with the compose service names resolvable.
    shipped = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert re.findall(r"server (web\d):8000", shipped) == ["web1", "web2"]
    assert "listen 8080;" in shipped and "proxy_set_header X-Real-IP $remote_addr;" in shipped
    assert "$upstream_addr" not in shipped  # which process answered stays inside


def test_an_nginx_file_without_the_expected_lines_is_refused(tmp_path):
    bad = tmp_path / "nginx.conf"
    bad.write_text("events {}\nhttp { server { listen 80; } }\n", encoding="utf-8")
    with pytest.raises(local_topology.TopologyError, match="no `server webN:PORT` line"):
        local_topology.render_nginx(18080, ["127.0.0.1:1"], tmp_path, template=bad)
