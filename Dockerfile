# Parley: slim, non-root, migrations on start, health-checked.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
# The dependencies' wheels get a layer of their own, built from pyproject.toml alone (a stub
# package stands in for the code and is thrown away): a change to the code rebuilds one wheel.
RUN mkdir -p app prompts migrations && touch app/__init__.py \
    && pip wheel --no-cache-dir --wheel-dir /deps . && rm /deps/parley-*.whl
COPY app ./app
COPY prompts ./prompts
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheel .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PARLEY_DATABASE_URL=sqlite:////data/parley.db \
    PARLEY_REQUIRE_AUTH=true \
    PARLEY_LOG_FORMAT=json
RUN useradd --create-home --uid 10001 parley && mkdir /data && chown parley /data
COPY --from=build /deps /deps
RUN pip install --no-cache-dir /deps/*.whl && rm -rf /deps
COPY --from=build /wheel /wheel
RUN pip install --no-cache-dir --no-deps /wheel/*.whl && rm -rf /wheel
USER parley
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["sh", "-c", "parley db upgrade && exec parley serve --host 0.0.0.0 --port 8000"]
