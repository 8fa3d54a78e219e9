/**
 * `sessionrec agent revoke <agentId>`: marks the agent revoked in the database, then
 * publishes `agent.revoked` so every ingest instance refuses it and closes its control
 * socket at once (without the message, cached credentials lapse within seconds anyway).
 */
import { type AgentRevoked, agentId as agentIdSchema } from '@sessionrec/contracts';
import { quoteIdentifier } from '@sessionrec/database';
import { Messaging, MessagingConnection, resolveOptions } from '@sessionrec/messaging';
import { Client } from 'pg';
import type { AgentAdminEnv } from './agent-env';

export class AgentNotFoundError extends Error {
  override readonly name = 'AgentNotFoundError';
}

export class RevocationNotPublishedError extends Error {
  override readonly name = 'RevocationNotPublishedError';
}

export interface RevokeOptions {
  readonly agentId: string;
  readonly revokedBy: string;
  readonly reason?: string;
}

export async function revokeAgent(
  env: AgentAdminEnv,
  options: RevokeOptions,
): Promise<AgentRevoked> {
  const parsed = agentIdSchema.safeParse(options.agentId);
  if (!parsed.success)
    throw new AgentNotFoundError(`${JSON.stringify(options.agentId)} is not an agent id`);
  const agentId = parsed.data;
  const client = new Client({ connectionString: env.databaseUrl });
  await client.connect();
  let revokedAt: Date;
  try {
    const { rows } = await client.query<{ revoked_at: Date }>(
      `UPDATE ${quoteIdentifier(env.schema)}.agents
          SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2),
              revoke_reason = coalesce(revoke_reason, $3)
        WHERE id = $1 RETURNING revoked_at`,
      [agentId, options.revokedBy, options.reason ?? null],
    );
    const row = rows[0];
    if (!row) throw new AgentNotFoundError(`no agent ${agentId}`);
    revokedAt = row.revoked_at;
  } finally {
    await client.end();
  }
  const message: AgentRevoked = {
    v: 1,
    agentId,
    revokedAt: revokedAt.toISOString(),
    revokedBy: options.revokedBy,
    ...(options.reason ? { reason: options.reason } : {}),
  };
  const connection = new MessagingConnection(
    resolveOptions({
      url: [...env.nats.NATS_URL],
      namespace: env.nats.NATS_NAMESPACE,
      serviceName: 'sessionrec-cli',
      ensureStreamsOnStart: false,
      ...(env.nats.NATS_USER ? { user: env.nats.NATS_USER } : {}),
      ...(env.nats.NATS_PASSWORD ? { pass: env.nats.NATS_PASSWORD } : {}),
      ...(env.nats.NATS_TOKEN ? { token: env.nats.NATS_TOKEN } : {}),
    }),
  );
  try {
    await new Messaging(connection).publish('agent.revoked', message);
  } catch (err) {
    throw new RevocationNotPublishedError(
      `agent ${agentId} is revoked in the database, but ingest could not be told at once ` +
        `(${(err as Error).message}); running ingest instances refuse it within seconds`,
      { cause: err },
    );
  } finally {
    await connection.close();
  }
  return message;
}
