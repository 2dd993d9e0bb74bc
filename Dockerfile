# syntax=docker/dockerfile:1
# flowlens container image: Node 24 LTS on Debian bookworm-slim, non-root,
# no writes at run time (works with readOnlyRootFilesystem: true).

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
COPY web ./web
# `npm ci` runs `prepare`, which compiles TypeScript into dist/ and the web view into dist/ui/.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf dist/test dist/bench dist/scripts

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/ui ./dist/ui
# The image's built-in unprivileged user (uid/gid 1000).
USER 1000:1000
EXPOSE 9090
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["run"]
