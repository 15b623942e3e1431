# Every developer command in one place. The README's two commands are `make run` and `make test`.
.PHONY: help setup run test lint format typecheck migrate revision bench load audit clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## Create .venv and install the package with development tools
	scripts/setup.sh

run:  ## Install (runtime dependencies only) and run on the embedded SQLite database: make run [PORT=8000] [HOST=127.0.0.1]
	HOST=$(or $(HOST),127.0.0.1) PORT=$(or $(PORT),8000) scripts/run.sh

test:  ## Set up and run every check: ruff, mypy, the suite on SQLite and PostgreSQL
	scripts/test.sh

lint:  ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:  ## Apply ruff's formatting and safe fixes
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

typecheck:  ## mypy --strict on the package
	.venv/bin/mypy

migrate:  ## Migrate the database at QBR_DATABASE_URL to the newest revision
	.venv/bin/qbr db upgrade

revision:  ## New migration from model changes: make revision MESSAGE="add x"
	scripts/new-revision.sh "$(MESSAGE)"

bench:  ## Benchmarks vs the limit and the alternatives, writes docs/benchmarks.md (SCALE=tiny|small|full)
	scripts/setup.sh
	.venv/bin/python -m bench --scale $(or $(SCALE),full)

load:  ## 32 clients for 60 s against qbr serve with the demo MSP, both databases; zero errors or it fails
	scripts/setup.sh
	.venv/bin/python -m bench.api_load --database both --record docs/benchmarks.md

audit:  ## Known vulnerabilities of every installed dependency (pip-audit; part of make test)
	.venv/bin/python scripts/audit_dependencies.py

clean:  ## Remove caches (keeps .venv and qbr.db)
	rm -rf .pytest_cache .mypy_cache .ruff_cache
