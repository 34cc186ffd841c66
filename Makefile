# The two commands a newcomer needs (see README): `make rehearsal` and `make test`.
# `make bench`: the benchmarks on the sandbox (slow, not part of `make test`), see docs/benchmarks.md.
.PHONY: rehearsal test bench sanity lint unit docs sandbox-up sandbox-down sandbox-status sandbox-reset

rehearsal:
	bash scripts/rehearsal.sh

test:
	bash scripts/test-all.sh

bench:
	bash scripts/bench.sh

sanity:
	bash scripts/bootstrap.sh && bash scripts/sanity.sh

lint:
	bash scripts/bootstrap.sh && ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/collections .venv/bin/ansible-lint

unit:
	bash scripts/bootstrap.sh && .venv/bin/python -m pytest -q tests/unit tests/sandbox_unit

docs:
	bash scripts/bootstrap.sh && .venv/bin/python scripts/gen_docs.py

sandbox-up:
	sandbox/sandboxctl up

sandbox-down:
	sandbox/sandboxctl down

sandbox-status:
	sandbox/sandboxctl status

sandbox-reset:
	sandbox/sandboxctl reset-to-blue
