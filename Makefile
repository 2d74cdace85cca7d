# Two commands do everything on a fresh machine:
#   make demo   set up, then run okebot on the bundled demo tenancy (no Slack or OCI credentials needed)
#   make test   set up, then run the linters, the type checker, the import contract and the whole test suite
.PHONY: demo test setup lint bench clean image-deps image-base image image-test

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

setup:
	@scripts/setup.sh

lint: setup
	.venv/bin/ruff check engine adapters bot tests bench scripts
	.venv/bin/mypy
	.venv/bin/lint-imports

bench: setup
	.venv/bin/python -m bench.bench_validate
	.venv/bin/python -m bench.bench_plan_file
	.venv/bin/python -m bench.bench_oci_read
	.venv/bin/python -m bench.bench_ack
	.venv/bin/python -m bench.bench_digest

clean:
	rm -rf .venv .mypy_cache .pytest_cache .ruff_cache build *.egg-info

# The container image (deploy/Dockerfile), built with buildah; slow, so not part of `make test`.
#   make image        build localhost/okebot:VERSION on BASE_IMAGE (default python:3.12-slim)
#   make image-test   build a local Debian base if missing, build on it, run the image read-only as UID 10001
image-deps:
	@scripts/image.sh deps

image-base:
	@scripts/image.sh base

image:
	@scripts/image.sh build

image-test:
	@scripts/image.sh test
