import os
import subprocess
import sys

import pytest


def load_settings(tmp_path, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "GONGKAI_ENV"}}
    environment.update(GONGKAI_DATA_DIR=str(tmp_path), **env)
    code = "import gongkai.settings as s; print(s.DATABASES['default']['ENGINE']); print(len(s.SECRET_KEY))"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)


def test_embedded_defaults_use_sqlite_and_a_generated_key(tmp_path):
    first = load_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "sqlite3" in first.stdout
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    again = load_settings(tmp_path)
    assert again.returncode == 0 and (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "1", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgresql://h/db"}, "DEBUG"),
        ({"DATABASE_URL": "postgresql://h/db"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "DATABASE_URL": "postgresql://h/db"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "DATABASE_URL"),
    ],
)
def test_production_refuses_unsafe_configuration(tmp_path, env, message):
    result = load_settings(tmp_path, GONGKAI_ENV="production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_accepts_a_proper_configuration(tmp_path):
    result = load_settings(tmp_path, GONGKAI_ENV="production", SECRET_KEY="k" * 50, DATABASE_URL="postgresql://u@h/db")
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout
