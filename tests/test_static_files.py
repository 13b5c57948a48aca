"""In production (DEBUG off) gunicorn serves the collected static files itself, through whitenoise."""

import re
import subprocess
import sys

from tests.servers import ROOT, get, gunicorn, migrate, production_env


def test_gunicorn_serves_the_collected_stylesheet_under_its_hashed_name(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    migrate(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    with gunicorn(env) as port:
        status, page = get(port, "/accounts/login/")
        assert status == 200
        stylesheet = re.search(rb'href="(/static/dashboard/dashboard\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the login page links the hashed stylesheet"
        status, css = get(port, stylesheet[1].decode())
        assert status == 200
        assert b"{" in css
        assert get(port, "/static/dashboard/no-such-file.css")[0] == 404
