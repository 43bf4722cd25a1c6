"""docker-compose cannot run here, so the stack is checked statically: the compose file, the Dockerfiles
and both tandem.conf files must agree with each other and with the local run."""

import ipaddress
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

DEPLOY_DIR = Path(__file__).resolve().parents[1]
COMPOSE_DIR = DEPLOY_DIR / "compose"
APP_PORT = 8000
SERVER_KEEPALIVE_SECONDS = 75


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((COMPOSE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def gateway_conf(path: Path) -> dict:
    """The parts of a tandem.conf these checks need, read with a few patterns rather than a HOCON parser."""
    text = path.read_text()
    return {
        "listen": int(re.search(r"listen\s*\{[^}]*port\s*=\s*(\d+)", text)[1]),
        "admin": int(re.search(r"admin\s*\{[^}]*port\s*=\s*(\d+)", text)[1]),
        "backends": dict(re.findall(r"(\w+)\s*\{\s*url\s*=\s*\"([^\"]+)\"", text)),
        "idle_timeouts": [int(s) for s in re.findall(r"idle-timeout\s*=\s*(\d+)s", text)],
        "routes": " ".join(re.search(r"routes\s*=\s*\[(.*?)\n\s*\]", text, re.S)[1].split()),
    }


def dockerfile(path: Path) -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def build_paths(service: dict) -> tuple[Path, Path]:
    context = (COMPOSE_DIR / service["build"]["context"]).resolve()
    return context, context / service["build"]["dockerfile"]


def test_the_stack_has_the_expected_services(services):
    assert set(services) == {"postgres", "prepare", "django", "fastapi", "tandem", "prometheus", "grafana"}


def test_prometheus_and_grafana_get_the_files_this_repository_ships(services):
    mounts = [volume.split(":")[0] for name in ("prometheus", "grafana") for volume in services[name]["volumes"]]
    for mount in mounts:
        if mount.startswith("."):
            assert (COMPOSE_DIR / mount).exists(), mount
    # Prometheus authenticates to the admin listener with the gateway's own token.
    assert "tandem_admin_token" in services["prometheus"]["secrets"]
    assert "TANDEM_ADMIN_TOKEN" in services["tandem"]["environment"]


@pytest.mark.parametrize("name", ["prepare", "django", "fastapi", "tandem"])
def test_every_dockerfile_copies_files_that_exist_in_its_context(services, name):
    context, path = build_paths(services[name])
    assert path.is_file(), path
    for instruction, arguments in dockerfile(path):
        if instruction == "COPY" and not arguments.startswith("--from"):
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (context / source).exists(), f"{path.name}: COPY {source} (context {context})"


def test_the_app_images_are_the_ones_the_container_integration_tests_build(services):
    assert build_paths(services["django"]) == (DEPLOY_DIR, DEPLOY_DIR / "django" / "Dockerfile")
    assert build_paths(services["fastapi"]) == (DEPLOY_DIR, DEPLOY_DIR / "fastapi" / "Dockerfile")
    assert services["prepare"]["build"] == services["django"]["build"]


@pytest.mark.parametrize(("app", "script"), [("django", "serve-django"), ("fastapi", "serve-fastapi")])
def test_app_images_serve_through_the_local_scripts_on_the_app_port(app, script):
    instructions = dockerfile(DEPLOY_DIR / app / "Dockerfile")
    cmd = [args for instruction, args in instructions if instruction == "CMD"][-1]
    assert yaml.safe_load(cmd) == [f"bin/{script}", "0.0.0.0", str(APP_PORT)]
    assert ("EXPOSE", str(APP_PORT)) in instructions
    assert any(i == "HEALTHCHECK" and "/healthz" in args for i, args in instructions)
    base = [args for instruction, args in instructions if instruction == "FROM"][0]
    assert tuple(int(n) for n in re.search(r"python:(\d+)\.(\d+)", base).groups()) >= (3, 11)
    assert (DEPLOY_DIR / "bin" / script).is_file()


def test_all_python_services_share_one_database_url_that_names_the_postgres_service(services):
    urls = {services[name]["environment"]["DATABASE_URL"] for name in ("prepare", "django", "fastapi")}
    assert len(urls) == 1
    url = urlsplit(urls.pop())
    postgres = services["postgres"]["environment"]
    assert url.scheme == "postgresql"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert (url.username, url.password, url.path.lstrip("/")) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        postgres["POSTGRES_DB"],
    )


def test_addresses_are_fixed_unique_and_in_the_subnet(compose, services):
    subnet = ipaddress.ip_network(compose["networks"]["tandem"]["ipam"]["config"][0]["subnet"])
    addresses = [ipaddress.ip_address(s["networks"]["tandem"]["ipv4_address"]) for s in services.values()]
    assert len(set(addresses)) == len(addresses)
    assert all(address in subnet for address in addresses)


def test_the_apps_trust_forwarding_headers_from_the_gateway_only(services):
    gateway = services["tandem"]["networks"]["tandem"]["ipv4_address"]
    for app in ("django", "fastapi"):
        assert services[app]["environment"]["TANDEM_TRUSTED_PROXIES"] == gateway, app


def test_start_order_follows_readiness(services):
    assert services["prepare"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for app in ("django", "fastapi"):
        assert services[app]["depends_on"] == {"prepare": {"condition": "service_completed_successfully"}}
    assert services["tandem"]["depends_on"] == {
        "django": {"condition": "service_healthy"},
        "fastapi": {"condition": "service_healthy"},
    }
    assert "healthcheck" in services["postgres"]


def test_gateway_config_matches_the_compose_services(services):
    conf = gateway_conf(COMPOSE_DIR / "tandem.conf")
    assert conf["backends"] == {"django": f"http://django:{APP_PORT}", "fastapi": f"http://fastapi:{APP_PORT}"}
    assert f"{conf['listen']}:{conf['listen']}" in services["tandem"]["ports"]
    # The admin listener is published on the host's loopback only.
    assert f"127.0.0.1:{conf['admin']}:{conf['admin']}" in services["tandem"]["ports"]
    for app in ("django", "fastapi"):
        assert str(APP_PORT) in services[app]["expose"]


def test_compose_and_local_gateway_configs_route_alike():
    local = gateway_conf(DEPLOY_DIR / "local" / "tandem.conf")
    compose = gateway_conf(COMPOSE_DIR / "tandem.conf")
    assert local["routes"] == compose["routes"]
    assert set(local["backends"]) == set(compose["backends"]) == {"django", "fastapi"}


@pytest.mark.parametrize("path", [DEPLOY_DIR / "local" / "tandem.conf", COMPOSE_DIR / "tandem.conf"])
def test_pool_idle_timeout_is_shorter_than_the_servers_keep_alive(path):
    assert gateway_conf(path)["idle_timeouts"] and max(gateway_conf(path)["idle_timeouts"]) < SERVER_KEEPALIVE_SECONDS
    assert f"--timeout-keep-alive {SERVER_KEEPALIVE_SECONDS}" in (DEPLOY_DIR / "bin" / "serve-fastapi").read_text()
    assert f"keepalive = {SERVER_KEEPALIVE_SECONDS}" in (DEPLOY_DIR / "django" / "gunicorn.conf.py").read_text()


def test_local_procfile_serves_where_the_local_gateway_config_points():
    procfile = dict(
        line.split(": ", 1) for line in (DEPLOY_DIR / "local" / "Procfile").read_text().splitlines() if line
    )
    backends = gateway_conf(DEPLOY_DIR / "local" / "tandem.conf")["backends"]
    assert procfile["django"] == "deploy/bin/serve-django 127.0.0.1 ${DJANGO_PORT:-8001}"
    assert procfile["fastapi"] == "deploy/bin/serve-fastapi 127.0.0.1 ${FASTAPI_PORT:-8002}"
    assert backends == {"django": "http://127.0.0.1:8001", "fastapi": "http://127.0.0.1:8002"}
    assert "gateway/target/tandem-gateway.jar" in procfile["tandem"]
