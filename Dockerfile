# syntax=docker/dockerfile:1
# Tideline image: one image, three entrypoints (API is the default CMD).
#   API        node dist/apps/api/src/main.js
#   worker     node dist/apps/worker/src/main.js
#   simulator  node dist/apps/simulator/src/main.js

# ---- build: install all dependencies and compile TypeScript (tsc -> dist/) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build

# ---- runtime: production dependencies, compiled output and config only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
USER node
EXPOSE 8080
CMD ["node", "dist/apps/api/src/main.js"]
