"""`gongkai serve [--demo] [--host 127.0.0.1] [--port 8000]`: the embedded server.

Migrates the database, with --demo loads the demo catalog into an empty
catalog, creates the `admin` staff account on first start (its password is
printed this once only), then serves the site with waitress. Static files come
from the apps through WhiteNoise, so no collectstatic is needed.
"""

import errno
import os
import secrets
import socket

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

ADMIN_USERNAME = "admin"


def check_port(host: str, port: int) -> None:
    """Fail early, in plain words, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CommandError(f"cannot listen on '{host}': no such host name or address on this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress does
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(_bind_message(host, port, exc)) from None


def _bind_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another server is running there): "
                f"stop it, or choose another port with --port")
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}: ports below 1024 need administrator rights; try --port 8000"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: this machine has no such address"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def ensure_admin() -> str | None:
    """Create the `admin` superuser when the site has no superuser yet; return
    its new password (to print once), or None when nothing was created."""
    User = get_user_model()
    if User.objects.filter(is_superuser=True).exists() or User.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=password)
    return password


class Command(BaseCommand):
    help = "Serve the site with the embedded server (migrates first; --demo loads the demo catalog when empty)."
    requires_system_checks = []  # run below, after the port check, with plain-words errors

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="load the demo catalog when the catalog is empty")
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")

    def handle(self, *args, demo=False, host="127.0.0.1", port=8000, threads=8, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not 1 <= threads <= 256:
            raise CommandError(f"--threads must be between 1 and 256, not {threads}")
        check_port(host, port)
        self.check(display_num_errors=False)

        try:
            call_command("migrate", verbosity=0, interactive=False)
        except DatabaseError as exc:
            raise CommandError(f"the database cannot be prepared ({exc}); check DATABASE_URL or GONGKAI_DATA_DIR") from exc
        self.say(f"Database ready: {_database_name()}")

        if demo:
            from gongkai.catalog import demo as demo_data
            from gongkai.catalog.management.commands.demo import default_size, load

            existing = demo_data.catalog_size()
            if existing:
                self.say(f"The catalog already holds {existing} documents: demo data not loaded.")
            else:
                load(self.stdout, self.stderr, default_size())

        password = ensure_admin()
        if password:
            self.say(
                f"Staff account created: user '{ADMIN_USERNAME}', password {password}\n"
                "  This password is shown only this once: write it down, then change it after signing in at /admin/."
            )

        from waitress import create_server

        from gongkai.wsgi import application

        try:
            server = create_server(application, host=host, port=port, threads=threads, ident="gongkai")
        except OSError as exc:
            raise CommandError(_bind_message(host, port, exc)) from None
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        base = f"http://{shown_host}:{port}/"
        self.say(f"Gongkai is serving on {base} (staff workspace: {base}staff/, admin: {base}admin/). Press Ctrl+C to stop.")
        if host in ("0.0.0.0", "::") and not os.environ.get("ALLOWED_HOSTS"):
            self.say("  Other machines reach it by a name that must be listed in ALLOWED_HOSTS "
                     "(e.g. ALLOWED_HOSTS=gongkai.example.gov.cn,127.0.0.1).")
        try:
            server.run()
        except KeyboardInterrupt:
            self.say("Stopped.")
        finally:
            server.close()

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()


def _database_name() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings_dict["NAME"])
    return f"{connection.vendor} database '{settings_dict['NAME']}' on {settings_dict.get('HOST') or 'localhost'}"
