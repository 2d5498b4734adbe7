# syntax=docker/dockerfile:1
# callback-orchestrator: one image, two roles (ROLE=api | worker | all).
#   docker build -t callback-orchestrator .
#   docker run -e ROLE=api ... callback-orchestrator                        # serve
#   docker run ... callback-orchestrator node dist/main.js migrate          # apply migrations, exit 0

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: every dependency, for building ------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# --- prod-deps: production dependencies only, for the runtime image ----------
# No install scripts are needed at runtime (native addons ship prebuilt).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- build: generate the Prisma client and compile TypeScript into dist/ ----
FROM deps AS build
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
COPY . .
RUN npm run build

# --- runtime -----------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    ROLE=all
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY package.json ./

# The files belong to root and are read-only to the app; it runs as "node" (uid 1000).
USER 1000:1000
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# tini is PID 1: it forwards SIGTERM to Node and reaps children.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
