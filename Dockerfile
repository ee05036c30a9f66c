# The subgraph as a container: built from the lockfile alone (npm ci), run as the
# unprivileged `node` user on the official Node 20 image. Try it with compose.yaml.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY subgraph subgraph
COPY plugins plugins
COPY migrations migrations
COPY bench bench
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4001 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4001
# Healthy once the database answers and is migrated (/readyz); /healthz is the liveness probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains (SHUTDOWN_DRAIN_MS, default 20 s): give the container longer than that to stop.
STOPSIGNAL SIGTERM
CMD ["node", "dist/subgraph/main.js"]
