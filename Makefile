# Thin aliases over scripts/ and the partnerships-map command line.
.PHONY: run test bench load fuzz lint fmt setup import db-start db-stop clean

run:            ## set up everything and serve the map on http://127.0.0.1:8000
	scripts/run.sh

test:           ## set up, import into a throwaway database and run every test
	scripts/test.sh

bench:          ## measure import and request figures; writes var/bench/
	scripts/bench.sh

fuzz:           ## fuzz the API with Schemathesis (every phase and check); writes var/fuzz/
	scripts/fuzz.sh

load:           ## 64 readers while a moderator approves, with a health probe; writes var/load/
	scripts/load_approvals.sh

setup:          ## install, start the database, migrate and import, without serving
	scripts/setup.sh

import:         ## re-import sources whose files changed
	.venv/bin/partnerships-map import

lint:           ## ruff and mypy
	.venv/bin/ruff format --check . && .venv/bin/ruff check . && .venv/bin/mypy app

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

db-start:
	.venv/bin/partnerships-map db start

db-stop:
	.venv/bin/partnerships-map db stop

clean:          ## stop the cluster and remove var/ (all local data)
	-.venv/bin/partnerships-map db stop
	if [ -L var/pg ]; then rm -rf "$$(readlink -f var/pg)"; fi
	rm -rf var
