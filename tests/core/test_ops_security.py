"""Running Gongkai in production safely: the client's address behind a proxy
(one answer for the rate limits and the login lockout), GONGKAI_ENV, HTTPS
settings, no-store on pages with personal data, private file modes, and a
request after the database dropped its connection."""

import io
import json
import os
import stat
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.urls import reverse

from gongkai.core.http import client_ip
from tests.db_faults import terminate_backend

PASSWORD = "correct-horse-battery-9"
PROXY = "10.0.0.1"


# --- the client's address ------------------------------------------------------------------------------------------

@pytest.fixture
def behind_proxy(settings):
    """nginx at 10.0.0.1 sets X-Forwarded-For (proxy_add_x_forwarded_for)."""
    settings.GONGKAI_TRUSTED_PROXIES = [PROXY]
    settings.GONGKAI_CLIENT_IP_META_KEY = None
    return settings


def meta_request(rf, remote, **headers):
    return rf.get("/", REMOTE_ADDR=remote, **headers)


def test_client_ip_without_trusted_proxies_is_the_connection(rf, settings):
    settings.GONGKAI_TRUSTED_PROXIES = []
    assert client_ip(meta_request(rf, "192.0.2.7", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "192.0.2.7"


def test_client_ip_from_a_trusted_proxy(rf, behind_proxy):
    assert client_ip(meta_request(rf, PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    # What the client sent itself stands left of what the proxy appended: the right-most address counts.
    assert client_ip(meta_request(rf, PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # A chain of trusted proxies is walked back to the first address that is not one.
    behind_proxy.GONGKAI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(meta_request(rf, PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.2.3.4")) == "203.0.113.9"
    # No header, or nonsense in it: the connection's address.
    assert client_ip(meta_request(rf, PROXY)) == PROXY
    assert client_ip(meta_request(rf, PROXY, HTTP_X_FORWARDED_FOR="unknown")) == PROXY
    assert client_ip(meta_request(rf, PROXY, HTTP_X_FORWARDED_FOR="[2001:db8::5]:443")) == "2001:db8::5"
    # Another header named by the operator (nginx: proxy_set_header X-Real-IP $remote_addr).
    behind_proxy.GONGKAI_CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    assert client_ip(meta_request(rf, PROXY, HTTP_X_REAL_IP="198.51.100.20",
                                  HTTP_X_FORWARDED_FOR="1.2.3.4")) == "198.51.100.20"


def test_client_ip_from_an_untrusted_client_ignores_its_headers(rf, behind_proxy):
    assert client_ip(meta_request(rf, "192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "192.0.2.50"


def login(client, username, password):
    return client.post(reverse("workspace:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_lockout_behind_a_trusted_proxy_counts_each_client_apart(county_staff, behind_proxy):
    from axes.models import AccessAttempt

    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        # nginx appends the real address to whatever the attacker sends: changing it does not help.
        attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        assert login(attacker, "reviewer1", "wrong-password").status_code in (200, 429)
    assert login(attacker, "reviewer1", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # The real reviewer comes through the same proxy from another address: not locked out.
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = login(colleague, "reviewer1", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    assert login(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9"), "reviewer1", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_login_lockout_ignores_x_forwarded_for_from_an_untrusted_client(county_staff, behind_proxy):
    from axes.models import AccessAttempt

    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert login(client, "reviewer1", "wrong-password").status_code in (200, 429)
    other_header = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert login(other_header, "reviewer1", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}


def test_rate_limits_take_the_same_client_address(rf, behind_proxy):
    from django.core.cache import cache
    from django_ratelimit.core import is_ratelimited

    cache.clear()

    def limited(remote, forwarded):
        request = rf.post("/apply/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        return is_ratelimited(request, group="ops-test", key="ip", rate="1/h", increment=True)

    assert not limited(PROXY, "203.0.113.9")
    assert limited(PROXY, "203.0.113.9")
    assert not limited(PROXY, "198.51.100.20")  # another citizen behind the same proxy
    assert not limited("192.0.2.50", "203.0.113.9")  # the header from an untrusted client counts for nothing
    assert limited("192.0.2.50", "198.51.100.20")
    assert django_settings.AXES_CLIENT_IP_CALLABLE == django_settings.RATELIMIT_IP_META_KEY


# --- settings read in a fresh process ---------------------------------------------------------------------------------

PRODUCTION_ENV = {"SECRET_KEY": "Qm4v-8rT2zX_wK9pL3sJ7dF1gH6yN0cB5eR2tU8iO4aZ-j3Wq7Ls9Pd", "DATABASE_URL": "postgresql://u@db.example/gongkai",
                  "ALLOWED_HOSTS": "gongkai.example.gov.cn"}
CLEARED = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "GONGKAI_ENV", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
           "GONGKAI_TRUSTED_PROXIES", "GONGKAI_CLIENT_IP_META_KEY", "GONGKAI_BEHIND_TLS_PROXY", "GONGKAI_SSL_REDIRECT",
           "GONGKAI_HSTS_SECONDS", "GONGKAI_HSTS_PRELOAD", "GONGKAI_HSTS_INCLUDE_SUBDOMAINS", "GONGKAI_SECURE_COOKIES",
           "GONGKAI_TEST_DATABASE_URL", "GONGKAI_TEST_DB_NAME",
           "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests in this process; a deploy check warns on it
SHOW = ("import json, gongkai.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
        "'PRODUCTION', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'GONGKAI_TRUSTED_PROXIES')}))")


def run(tmp_path, code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(GONGKAI_DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120, check=False,
                          cwd=tmp_path, preexec_fn=lambda: os.umask(0o022))


def shown(tmp_path, **env):
    result = run(tmp_path, SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("value", ["production", "Production", "PRODUCTION", " production "])
def test_production_in_any_case_is_production(tmp_path, value):
    values = shown(tmp_path, GONGKAI_ENV=value, **PRODUCTION_ENV)
    assert values["PRODUCTION"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    # ... and so refuses an unsafe configuration as production does.
    refused = run(tmp_path, SHOW, GONGKAI_ENV=value, SECRET_KEY="k" * 50)
    assert refused.returncode != 0 and "DATABASE_URL" in refused.stderr


@pytest.mark.parametrize("value", ["prod", "staging", "productoin"])
def test_an_unknown_environment_is_refused(tmp_path, value):
    result = run(tmp_path, SHOW, GONGKAI_ENV=value, **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "GONGKAI_ENV must be 'production' or 'embedded'" in result.stderr and repr(value) in result.stderr


@pytest.mark.parametrize("value", ["", "embedded", "Embedded"])
def test_embedded_is_the_default(tmp_path, value):
    values = shown(tmp_path, GONGKAI_ENV=value)
    assert values["PRODUCTION"] is False and values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["SESSION_COOKIE_SECURE"] is False


def test_https_settings_can_be_configured(tmp_path):
    values = shown(tmp_path, GONGKAI_ENV="production", GONGKAI_BEHIND_TLS_PROXY="1", GONGKAI_HSTS_SECONDS="600",
                   **PRODUCTION_ENV)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600 and values["SECURE_SSL_REDIRECT"] is True
    values = shown(tmp_path, GONGKAI_ENV="production", GONGKAI_SSL_REDIRECT="0", **PRODUCTION_ENV)
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_PROXY_SSL_HEADER"] is None


def test_trusted_proxies_are_checked_at_startup(tmp_path):
    assert shown(tmp_path, GONGKAI_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")["GONGKAI_TRUSTED_PROXIES"] == [
        "127.0.0.1", "10.0.0.0/8"]
    bad = run(tmp_path, SHOW, GONGKAI_TRUSTED_PROXIES="nginx.local")
    assert bad.returncode != 0 and "GONGKAI_TRUSTED_PROXIES" in bad.stderr
    # A header believed from anybody would let anybody choose the address the limits count.
    alone = run(tmp_path, SHOW, GONGKAI_CLIENT_IP_META_KEY="HTTP_X_REAL_IP")
    assert alone.returncode != 0 and "GONGKAI_TRUSTED_PROXIES" in alone.stderr


@pytest.mark.parametrize("extra", [{}, {"GONGKAI_BEHIND_TLS_PROXY": "1", "GONGKAI_TRUSTED_PROXIES": "127.0.0.1"}])
def test_check_deploy_is_clean_in_production(tmp_path, extra):
    code = "from gongkai.cli import main; main(['gongkai', 'check', '--deploy', '--fail-level', 'WARNING'])"
    result = run(tmp_path, code, GONGKAI_ENV="Production", **PRODUCTION_ENV, **extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


# --- no-store on pages with personal data -----------------------------------------------------------------------------

def assert_no_store(response):
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control and "private" in cache_control, (response.status_code, cache_control)


@pytest.mark.django_db
def test_staff_pages_are_never_stored(org_tree, county_staff):
    assert_no_store(Client().get(reverse("workspace:login")))
    client = Client(raise_request_exception=False)  # an error page is no-store too
    client.force_login(county_staff["office_admin"])
    for url in (reverse("workspace:home"), reverse("workspace:documents"), reverse("workspace:members"),
                "/staff/applications/", "/staff/no-such-page/"):
        assert_no_store(client.get(url))


@pytest.mark.django_db
def test_the_applicants_own_pages_are_never_stored(org_tree):
    client = Client()
    # The form returned with the applicant's name and ID number in it.
    returned = client.post(reverse("applications:apply"), {"organisation": org_tree["county"].pk,
                                                            "applicant_name": "张三", "id_document": "居民身份证"})
    assert returned.status_code in (200, 429)
    assert_no_store(returned)
    for url in (reverse("applications:apply"), reverse("applications:status"), reverse("applications:received")):
        assert_no_store(client.get(url))
    assert_no_store(client.post(reverse("applications:status_end")))


@pytest.mark.django_db
def test_public_pages_stay_cacheable(org_tree):
    response = Client().get("/")
    assert "no-store" not in response.get("Cache-Control", "")


# --- private files ---------------------------------------------------------------------------------------------------

MODES = """
import json, os, stat, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'gongkai.settings'
django.setup()
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from gongkai.applications.models import private_storage
with connection.cursor() as cursor:
    cursor.execute('CREATE TABLE IF NOT EXISTS probe (x integer)')
    cursor.execute('INSERT INTO probe VALUES (1)')
name = private_storage().save('applications/7/身份证明.txt', ContentFile(b'personal data'))
data = settings.DATA_DIR
paths = {'data': data, 'db': data / 'gongkai.sqlite3', 'wal': data / 'gongkai.sqlite3-wal',
         'private': settings.PRIVATE_MEDIA_ROOT, 'media': settings.MEDIA_ROOT,
         'upload_dir': settings.PRIVATE_MEDIA_ROOT / 'applications' / '7', 'upload': settings.PRIVATE_MEDIA_ROOT / name,
         'secret_key': data / 'secret_key'}
print(json.dumps({k: oct(stat.S_IMODE(p.stat().st_mode)) for k, p in paths.items() if p.exists()}))
"""


def modes(tmp_path):
    result = run(tmp_path, MODES)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_new_data_folder_is_private(tmp_path):
    found = modes(tmp_path)
    assert found == {"data": "0o700", "db": "0o600", "wal": "0o600", "private": "0o700", "media": "0o700",
                     "upload_dir": "0o700", "upload": "0o600", "secret_key": "0o600"}


def test_an_existing_world_readable_data_folder_is_restricted(tmp_path):
    data = tmp_path / "data"
    (data / "private" / "applications").mkdir(parents=True)
    (data / "media").mkdir()
    (data / "gongkai.sqlite3").write_bytes(b"")
    for path, mode in ((data, 0o755), (data / "private", 0o755), (data / "media", 0o775),
                       (data / "gongkai.sqlite3", 0o644)):
        path.chmod(mode)
    found = modes(tmp_path)
    assert (found["data"], found["private"], found["media"], found["db"], found["wal"]) == (
        "0o700", "0o700", "0o700", "0o600", "0o600")
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700


# --- a request after the database dropped the connection (PostgreSQL restarted) ---------------------------------------

def wsgi_get(application, path, cookie):
    """One request through Django's WSGI handler, as waitress or gunicorn make it
    (the test client leaves out the request_started signal that checks connections)."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie, "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(), "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    statuses = []
    response = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished, as a server sends it
    return statuses[0], body.decode()


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_database_dropped_its_connection_succeeds(org_tree, county_staff):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL drops connections when it restarts; SQLite has no server")
    assert connection.settings_dict["CONN_MAX_AGE"]  # connections are kept between requests
    staff = Client()
    staff.force_login(county_staff["drafter"])
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={staff.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    application = WSGIHandler()
    status, body = wsgi_get(application, "/staff/", cookie)
    assert status.startswith("200") and "工作台" in body
    assert connection.connection is not None  # kept open for the next request (CONN_MAX_AGE)
    terminate_backend(connection.connection.info.backend_pid)
    status, body = wsgi_get(application, "/staff/", cookie)
    assert status.startswith("200") and "工作台" in body

