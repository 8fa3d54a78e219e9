'use strict';
/*
 * Jest globalSetup of the integration project: starts one S3 test server (s3rver in a
 * child process, see s3-server.js) for the whole run, unless S3_TEST_ENDPOINT already
 * points at one (e.g. a MinIO started by .ci/run). Environment variables set here are
 * inherited by the test workers; suites read them through testS3Options() in
 * @sessionrec/testing and each creates its own bucket.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startS3TestServer } = require('./s3-server');

module.exports = async function globalSetup() {
  // The AWS SDK warns once per worker that Node 20 support ends in 2027: noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (process.env.S3_TEST_ENDPOINT) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessionrec-s3-'));
  const server = await startS3TestServer({ dir });
  process.env.S3_TEST_ENDPOINT = server.endpoint;
  process.env.S3_TEST_REGION = server.region;
  process.env.S3_TEST_ACCESS_KEY_ID = server.accessKeyId;
  process.env.S3_TEST_SECRET_ACCESS_KEY = server.secretAccessKey;
  globalThis.__SESSIONREC_S3_TEST_SERVER__ = { stop: server.stop, dir };
};
