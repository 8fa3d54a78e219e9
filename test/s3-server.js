#!/usr/bin/env node
'use strict';
/*
 * The S3-compatible server of the test suite, .ci/run and the benchmark: s3rver with
 * the fixes of s3-server-patches.js, on 127.0.0.1 only.
 *
 *   node test/s3-server.js [--port 4569] [--dir /tmp/x] [--exit-with-stdin]
 *
 * Prints one JSON line when it listens: {"endpoint","port","dir","accessKeyId",
 * "secretAccessKey","region"}. Stops on SIGTERM/SIGINT (and, with --exit-with-stdin,
 * when its parent closes stdin, so a crashed parent leaves no server behind).
 *
 * Why a child process: s3rver signs ListObjectsV2 continuation tokens with DES-CBC.
 * OpenSSL 3 moved DES to its legacy provider, so in Node 17+ every truncated listing
 * (and every request carrying a continuation token) fails with "error:0308010C:digital
 * envelope routines::unsupported" -> 500 InternalError. Node only loads that provider
 * when started with --openssl-legacy-provider, which cannot be turned on inside a
 * running process (Jest's); so the server runs in its own `node` with that flag. If
 * started without it, this script re-executes itself with it.
 */
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const ADDRESS = '127.0.0.1';
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const REGION = 'us-east-1';

function desAvailable() {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

function parseArgs(argv) {
  const opts = { port: 0, dir: undefined, exitWithStdin: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') opts.port = Number(argv[++i]);
    else if (arg === '--dir') opts.dir = argv[++i];
    else if (arg === '--exit-with-stdin') opts.exitWithStdin = true;
    else throw new Error(`Unknown argument ${arg}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new Error('--port must be 0..65535');
  }
  return opts;
}

async function serve(opts) {
  const S3rver = require('s3rver');
  const { applyS3rverPatches } = require('./s3-server-patches');
  const dir = path.resolve(opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-')));
  fs.mkdirSync(dir, { recursive: true });
  const server = applyS3rverPatches(
    new S3rver({ address: ADDRESS, port: opts.port, directory: dir, silent: true }),
  );
  const { port } = await server.run();
  process.stdout.write(
    `${JSON.stringify({
      endpoint: `http://${ADDRESS}:${port}`,
      port,
      dir,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      region: REGION,
    })}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (opts.exitWithStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

/**
 * Starts the server as a child process and resolves once it listens.
 * @param {{dir?: string, port?: number, timeoutMs?: number}} [options]
 * @returns {Promise<{endpoint: string, port: number, dir: string, accessKeyId: string,
 *   secretAccessKey: string, region: string, pid: number, stop: () => Promise<void>}>}
 */
function startS3TestServer(options = {}) {
  const args = ['--openssl-legacy-provider', __filename, '--port', String(options.port ?? 0)];
  if (options.dir) args.push('--dir', options.dir);
  args.push('--exit-with-stdin');
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    child.stdin.destroy();
    child.stdout.destroy();
  };
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      void stop();
      reject(new Error('S3 test server did not start within the timeout'));
    }, options.timeoutMs ?? 20000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve({ ...JSON.parse(line), pid: child.pid, stop });
      } catch (err) {
        void stop();
        reject(err);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`S3 test server exited early with code ${code}`));
    });
  });
}

module.exports = { startS3TestServer, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION };

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (!desAvailable()) {
    if (process.execArgv.includes('--openssl-legacy-provider')) {
      console.error('This Node has no OpenSSL legacy provider (DES): s3rver cannot list pages.');
      process.exit(1);
    }
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', ...process.execArgv, __filename, ...argv],
      { stdio: 'inherit' },
    );
    for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  } else {
    serve(parseArgs(argv)).catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
  }
}
