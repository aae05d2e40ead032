# The jml-orchestrator image: one image, several processes (`jml worker`, `jml api`,
# `jml scim-server`); the compose file picks the command. TypeScript runs through SWC at load
# time (lib/runtime/register-ts.js), so there is no build stage.
FROM node:20.19.5-bookworm-slim

# MALLOC_ARENA_MAX: glibc would give the worker's ~20 threads (the Temporal SDK's Rust core
# among them) up to 8 malloc arenas per core and keep them: 2 hold ~200 MiB less at 1,000 hires,
# for no CPU difference measured (docs/deployment.md, Worker memory).
ENV NODE_ENV=production \
    JML_CONFIG_DIR=/app/config \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    MALLOC_ARENA_MAX=2

WORKDIR /app

# Dependencies first: this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY cli ./cli
COPY lib ./lib
COPY engine ./engine
COPY scim-server ./scim-server
COPY activities ./activities
COPY workflows ./workflows
COPY workers ./workers
COPY config ./config
COPY tsconfig.json ./

# Never run as root; the config is read-only for the process.
USER node

ENTRYPOINT ["node", "bin/jml.js"]
CMD ["--help"]
