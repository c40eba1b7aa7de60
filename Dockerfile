# Overt's production image: `docker build -t overt .` then run with the settings in the README's
# "Running it for your council". Multi-stage: the build stage compiles TypeScript, the tab and
# better-sqlite3 (native, from source); the runtime stage keeps dist/ and production dependencies only,
# runs as a non-root user and starts with `npm run serve` (no build step, no demo).
# Not built by any test here: there is no Docker engine on the machine this was written on. Its build context is
# the allow-list .dockerignore (test/council/deploy.test.ts checks it against a checkout holding a case list).

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 --build-from-source
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    OVERT_LISTEN_HOST=0.0.0.0 \
    BOT_PORT=8080 \
    TAB_PORT=8080 \
    OVERT_DATA=/data \
    OVERT_AUDIT_KEY=/audit/signing-key.pem \
    OVERT_AUDIT_CHECKPOINTS=/audit/checkpoints.jsonl
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/appPackage/color.png ./appPackage/color.png
RUN mkdir -p /data /audit && chown node:node /data /audit && chmod 700 /data /audit
USER node
# The audit signing key and checkpoints on a volume of their own, apart from the data they vouch for.
VOLUME ["/data", "/audit"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.TAB_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/server/serve.js"]
