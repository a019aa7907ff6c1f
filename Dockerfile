# The image runs the current Node.js LTS (24, "Krypton"); the code and its tests run on Node 20
# and later (package.json "engines"). The base is pinned to an exact release so that a rebuild
# gets the same runtime. To pin it to the byte, add its digest, read with
#   docker buildx imagetools inspect node:24.19.0-trixie-slim --format '{{json .Manifest.Digest}}'
# as node:24.19.0-trixie-slim@sha256:<digest> in NODE_IMAGE (a build argument or the default).
ARG NODE_IMAGE=node:24.19.0-trixie-slim

# Build stage: compile TypeScript.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime: the compiled server, its dictionaries, the demo's data and the simulator's scenarios
# (`ocs simulate` checks a link from inside the cluster), production dependencies only.
FROM ${NODE_IMAGE}
# VERSION is package.json's (a test keeps them equal); SOURCE_URL and REVISION are given by the
# build: --build-arg SOURCE_URL="$(git remote get-url origin)" --build-arg REVISION="$(git rev-parse HEAD)".
ARG VERSION=0.1.0
ARG SOURCE_URL=""
ARG REVISION=""
LABEL org.opencontainers.image.title="gy-ocs" \
      org.opencontainers.image.description="Diameter Gy/Ro online charging server (RFC 4006, 3GPP TS 32.299) with Redis-backed prepaid balances" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${REVISION}"
# A young generation of 64 MiB: each CCR allocates short-lived objects, and with the default
# 16 MiB the scavenges took a third more server CPU per CCR (README, Configuration).
ENV NODE_ENV=production NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY dictionaries ./dictionaries
COPY demo ./demo
COPY scenarios ./scenarios
# The image's `node` user by number, so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3868 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
