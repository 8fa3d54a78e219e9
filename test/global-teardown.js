'use strict';
/* Jest globalTeardown: stops the S3 test server that global-setup.js started and removes its data. */
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const server = globalThis.__SESSIONREC_S3_TEST_SERVER__;
  if (!server) return;
  delete globalThis.__SESSIONREC_S3_TEST_SERVER__;
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
  delete process.env.S3_TEST_ENDPOINT;
};
