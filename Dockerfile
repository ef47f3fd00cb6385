# The worker image: the same code and settings as the embedded stack, pointed at compose's services.
FROM node:20-bookworm-slim
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
COPY scripts ./scripts
# The image has no Python, so the postinstall skips the Temporal CLI wheel: compose runs the real server.
RUN npm ci --loglevel=warn
COPY . .
# The prebuilt workflow bundle (dist/workflow-bundle.js): the worker loads it instead of bundling at start.
RUN npm run build
ENV EMBEDDED_STACK=false
# Metrics listen on every interface inside the container so compose's port mapping reaches them.
ENV METRICS_HOST=0.0.0.0
CMD ["npx", "tsx", "cli/worker.ts"]
