import json
import os
import subprocess
import sys

import pytest


def test_healthz_reports_database_and_migrations(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["migrations"] == "current"
    assert body["database"] in {"sqlite", "postgresql"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gaizao.settings",
        # Port 9 on loopback: nothing listens there, the connection is refused at once.
        "GAIZAO_DATABASE_URL": "postgresql://nobody:nothing@127.0.0.1:9/none?connect_timeout=2",
        "GAIZAO_ENV_FILE": os.devnull,
        "GAIZAO_ALLOWED_HOSTS": "testserver",
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["database"] == "unreachable"
