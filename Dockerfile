FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY config ./config
COPY accounts ./accounts
COPY journal ./journal
COPY reports ./reports
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
RUN useradd --create-home journal && mkdir -p /data/media && chown journal /data/media
USER journal
EXPOSE 8000
