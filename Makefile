# users: a users and authentication service in C, its web client and its deployment.
#
#   make run          install what is missing, build, serve API + web client on :5000 (SQLite)
#   make test         install what is missing, then every test suite (what CI runs)
#   make bench        the benchmark (slow; writes bench/results.md)
#   make lint / fmt   format and static checks
#   make image        the two production container images (podman)

DEPS := scripts/install-deps.sh

.PHONY: run build test test-users test-client test-deploy test-images lint fmt image e2e bench bench-smoke

run:
	@$(DEPS) build client
	$(MAKE) build
	@scripts/run.sh

build:
	$(MAKE) -C services/users
	$(MAKE) -C services/client build

test:
	@$(DEPS) build test client images bench
	$(MAKE) lint
	$(MAKE) test-users
	$(MAKE) test-client
	$(MAKE) test-deploy
	$(MAKE) bench-smoke
	$(MAKE) test-images

test-users:
	$(MAKE) -C services/users test

test-client:
	$(MAKE) -C services/users
	$(MAKE) -C services/client test

e2e:
	$(MAKE) -C services/users
	$(MAKE) -C services/client e2e

test-deploy:
	$(MAKE) -C deploy test

test-images:
	$(MAKE) -C deploy test-images

lint:
	$(MAKE) -C services/users lint
	clang-format --dry-run --Werror bench/*.c

fmt:
	$(MAKE) -C services/users fmt

image:
	$(MAKE) -C deploy image

bench:
	bench/run.sh

bench-smoke:
	bench/run.sh --smoke
