/**
 * The least any segment upload can cost on this machine: a bare node:http server that
 * reads each ~100 KB body and stores it exactly as ingest does (putIfAbsent under the
 * design's segment key, with the client's SHA-256 claim checked by the store and the
 * body handed to the write threads), and does nothing else: no authentication, no
 * validation, no row, no announcement. Run by the ingest benchmark as a child process
 * (forked, so it tells its port over IPC), like ingest itself, so the upload client and
 * the server each have their own event loop as they do against ingest.
 *
 * STORAGE_URL (and the S3_* settings for s3://) choose the store, as for ingest.
 */
import http from 'node:http';
import {
  createObjectStore,
  type ObjectStore,
  s3SettingsFromEnv,
  segmentKey,
} from '@sessionrec/storage';

/** PUT /floor/<recordingId>/<seq>: the only route. */
const ROUTE = /^\/floor\/([0-9a-f-]{36})\/(\d{1,9})$/;
const STARTED_AT = new Date();

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function store(
  objects: ObjectStore,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ status: number; body: unknown }> {
  const route = ROUTE.exec(req.url ?? '');
  const sha256 = req.headers['x-segment-sha256'];
  if (req.method !== 'PUT' || !route || typeof sha256 !== 'string') {
    return { status: 400, body: { error: 'PUT /floor/<recordingId>/<seq> with x-segment-sha256' } };
  }
  const key = segmentKey(route[1]!, STARTED_AT, Number(route[2]), 'm4s');
  const size = body.length;
  await objects.putIfAbsent(key, body, {
    sha256,
    contentLength: size,
    contentType: 'video/iso.segment',
    handOver: true,
  });
  return { status: 201, body: { key, sha256, size, created: true } };
}

function main(): void {
  const url = process.env.STORAGE_URL;
  if (!url || !process.send) {
    throw new Error('upload-floor-server: run by the ingest benchmark (forked, STORAGE_URL set)');
  }
  const objects = createObjectStore(url, s3SettingsFromEnv());
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      store(objects, req, Buffer.concat(chunks)).then(
        (result) => answer(res, result.status, result.body),
        (err: Error) => answer(res, 500, { error: err.message }),
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') process.send?.({ port: address.port });
  });
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void objects.close().finally(() => process.exit(0)));
  });
}

main();
