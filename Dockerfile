# syntax=docker/dockerfile:1
# Tideline image: one image, three entrypoints (API is the default CMD).
#   API        node dist/apps/api/src/main.js
#   worker     node dist/apps/worker/src/main.js      (/metrics on METRICS_PORT, default 9464)
#   simulator  node dist/apps/simulator/src/main.js
# Runs as the non-root `node` user (uid 1000) and writes nothing to its filesystem, so a
# read-only root filesystem works (deploy/base).

# ---- build: every dependency from the lock file, compile TypeScript (tsc -> dist/) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build

# ---- deps: production dependencies only, from the same lock file ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: node_modules, the compiled entry points and libraries, the dashboard, the example config ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/migrations ./dist/migrations
COPY --from=build /app/dist/dashboard ./dist/dashboard
COPY config ./config
USER node
EXPOSE 8080 9464
CMD ["node", "dist/apps/api/src/main.js"]
