/**
 * What the control-channel integration specs share: the real ingest app booted in this
 * process on the suite's own NATS namespace and PostgreSQL schema, agents enrolled with
 * a one-time token, and a bare `ws` client playing the agent.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { agentProtocol, type CommandResult, type ControlCommand } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { type RunningService, runService } from '@sessionrec/runtime';
import {
  createTestSchemas,
  dropTestSchemas,
  readStream,
  testDatabaseUrl,
  testNatsUrl,
  waitFor,
  freePort,
} from '@sessionrec/testing';
import { Client } from 'pg';
import WebSocket from 'ws';
import { newEnrolToken, sha256Hex } from '../src/auth/credentials';
import { INGEST_SERVICE } from '../src/ingest-service';

export const CONTROL_URL_PATH = '/agent/v1/control';

export interface Ingest {
  readonly name: string;
  readonly url: string;
  readonly wsUrl: string;
  readonly messaging: Messaging;
  readonly pg: Client;
  stop(): Promise<void>;
  /** Stops the app (if still running) and removes the schemas and storage directory. */
  cleanup(): Promise<void>;
}

export async function startIngest(name: string): Promise<Ingest> {
  await createTestSchemas(name);
  const storageDir = await mkdtemp(path.join(tmpdir(), 'sessionrec-control-'));
  const port = await freePort();
  const service: RunningService | undefined = await runService(INGEST_SERVICE, {
    NATS_URL: testNatsUrl(),
    NATS_NAMESPACE: name,
    DATABASE_URL: testDatabaseUrl(),
    DATABASE_SCHEMA: `${name}_ingest`,
    STORAGE_URL: `file://${storageDir}`,
    HOST: '127.0.0.1',
    INGEST_PORT: String(port),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    METRICS_ENABLED: 'true',
  });
  if (!service) throw new Error('ingest did not start (see stderr)');
  const pg = new Client({ connectionString: testDatabaseUrl() });
  await pg.connect();
  const stop = (): Promise<void> => service.stop();
  return {
    name,
    url: service.url,
    wsUrl: `ws://127.0.0.1:${port}${CONTROL_URL_PATH}`,
    messaging: service.app.get(Messaging),
    pg,
    stop,
    cleanup: async () => {
      await stop();
      await pg.end();
      await dropTestSchemas(name);
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export interface EnrolledAgent {
  readonly agentId: string;
  readonly credential: string;
}

/** Issues a one-time token in the suite's schema and enrols through `POST /agent/v1/enrol`. */
export async function enrolAgent(ingest: Ingest): Promise<EnrolledAgent> {
  const token = newEnrolToken();
  await ingest.pg.query(
    `INSERT INTO "${ingest.name}_ingest".enrol_tokens (id, token_hash, expires_at)
     VALUES ($1, $2, now() + interval '1 hour')`,
    [randomUUID(), sha256Hex(token)],
  );
  const res = await fetch(`${ingest.url}/agent/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      hostname: `host-${randomUUID().slice(0, 8)}`,
      os: 'test-os',
      agentVersion: '0.0.0-test',
    }),
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`enrolment failed: ${res.status} ${await res.text()}`);
  }
  return agentProtocol.enrolResponse.parse(await res.json());
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A bare WebSocket client standing in for an agent; records every frame it receives. */
export class TestAgent {
  readonly frames: agentProtocol.ServerFrame[] = [];
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(agentProtocol.serverFrame.parse(JSON.parse(data.toString('utf8'))));
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
  }

  /** Opens the socket; rejects with an UpgradeRefused carrying the HTTP status if refused. */
  static connect(url: string, authorization?: string): Promise<TestAgent> {
    const ws = new WebSocket(url, {
      headers: authorization ? { authorization } : {},
      handshakeTimeout: 10_000,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestAgent(ws)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new UpgradeRefused(res.statusCode ?? 0));
        res.resume();
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  static forAgent(ingest: Ingest, agent: EnrolledAgent): Promise<TestAgent> {
    return TestAgent.connect(ingest.wsUrl, `Bearer ${agent.credential}`);
  }

  commands(): Extract<agentProtocol.ServerFrame, { type: 'command' }>[] {
    return this.frames.flatMap((f) => (f.type === 'command' ? [f] : []));
  }

  async waitForCommand(
    commandId: string,
  ): Promise<Extract<agentProtocol.ServerFrame, { type: 'command' }>> {
    await waitFor(
      () => this.commands().some((c) => c.commandId === commandId),
      20_000,
      `command ${commandId}`,
    );
    return this.commands().find((c) => c.commandId === commandId)!;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  result(commandId: string, status: 'acked' | 'failed', detail?: string): void {
    this.send({ type: 'command-result', commandId, status, ...(detail ? { detail } : {}) });
  }

  /** Closes from the agent side and waits until the socket is gone. */
  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000, 'test done');
    await this.closed;
  }

  /** Drops the TCP connection without a closing handshake, like a lost network. */
  async drop(): Promise<void> {
    this.ws.terminate();
    await this.closed;
  }
}

export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused';
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}

export function newCommand(
  agentId: string,
  overrides: Partial<ControlCommand> = {},
): ControlCommand {
  const now = Date.now();
  return {
    v: 1,
    commandId: randomUUID(),
    agentId,
    action: 'lock',
    params: { reason: 'integration test' },
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    issuedBy: 'control-test',
    ...overrides,
  };
}

/** Every command.result stored in the suite's RESPONSES stream. */
export async function commandResults(nc: NatsConnection, name: string): Promise<CommandResult[]> {
  const stored = await readStream(nc, name, 'RESPONSES');
  return stored
    .filter((m) => m.subject.startsWith(`${name}.response.command.`))
    .map((m) => m.json<CommandResult>());
}

export async function waitForResult(
  nc: NatsConnection,
  name: string,
  commandId: string,
): Promise<CommandResult> {
  let found: CommandResult | undefined;
  await waitFor(
    async () => {
      found = (await commandResults(nc, name)).find((r) => r.commandId === commandId);
      return found !== undefined;
    },
    20_000,
    `command.result for ${commandId}`,
  );
  return found!;
}
