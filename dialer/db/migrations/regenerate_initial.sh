#!/usr/bin/env bash
# Development helper: rewrite migration 0001 from the models (only until the first release).
set -euo pipefail
cd "$(dirname "$0")/../../.."
rm -f dialer/db/migrations/versions/0001_*.py /tmp/regen.sqlite
.venv/bin/python - <<'PY'
from alembic import command
from dialer.db.migrate import alembic_config
command.revision(alembic_config("sqlite+aiosqlite:////tmp/regen.sqlite"), message="initial schema",
                 autogenerate=True, rev_id="0001")
PY
for f in dialer/db/migrations/versions/0001_*.py; do [ "$f" = dialer/db/migrations/versions/0001_initial_schema.py ] || mv "$f" dialer/db/migrations/versions/0001_initial_schema.py; done
.venv/bin/ruff format -q dialer/db/migrations/versions/ && .venv/bin/ruff check -q --fix dialer/db/migrations/versions/ || true
