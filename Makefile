# Conclave: the two commands a new user needs are `make serve` and `make test`.

.PHONY: serve test web build check fmt clippy

# Build the web client and run the server on http://127.0.0.1:8065 (data in ./conclave-data).
serve: web
	cargo run --release -p server --bin conclave -- serve $(ARGS)

# Run every test suite (Rust on SQLite and PostgreSQL, real-client compatibility, browser).
test:
	./scripts/test

# Build the browser client into web/dist (embedded in the binary).
web:
	@if [ -f web/package.json ]; then cd web && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; fi

build: web
	cargo build --release -p server --bin conclave

fmt:
	cargo fmt --all

clippy:
	cargo clippy --workspace --all-targets -- -D warnings
