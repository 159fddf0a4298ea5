# cuecard in a container: `docker build -t cuecard .`, or `docker compose up` with compose.yaml.
# Written to be correct by reading: Docker cannot run on the development machines, so this file
# is not built in CI.

# ---- build: the release binary (sheets, prompts and migrations are compiled in) ----
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin cuecard \
 && cp target/release/cuecard /usr/local/bin/cuecard

# ---- run: a small Debian with CA certificates (Discord and LLM endpoints are HTTPS) ----
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/cuecard --create-home cuecard
COPY --from=build /usr/local/bin/cuecard /usr/local/bin/cuecard
USER cuecard
# The index, an uploaded sheet and (without DATABASE_URL) the SQLite database live here.
ENV CUECARD_DATA_DIR=/var/lib/cuecard \
    CUECARD_LOG_FORMAT=json \
    CUECARD_METRICS_ADDR=0.0.0.0:9184
VOLUME ["/var/lib/cuecard"]
# /metrics, /healthz and /readyz: point the orchestrator's probes here (the image has no curl).
EXPOSE 9184
# SIGTERM (docker stop) lets the bot finish what it is doing.
STOPSIGNAL SIGTERM
ENTRYPOINT ["cuecard"]
CMD ["serve"]
