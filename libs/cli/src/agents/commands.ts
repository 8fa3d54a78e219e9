/** Registers `enrol-token create` and `agent revoke` on the CLI program. */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ProgramIo } from '../program';
import { readAgentAdminEnv } from './agent-env';
import { revokeAgent } from './agent-revoke';
import { createEnrolToken, parseExpiresIn } from './enrol-token';

function operatorName(env: NodeJS.ProcessEnv): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${env.USER ?? 'unknown'}`;
  }
}

export function registerAgentCommands(program: Command, io: ProgramIo): void {
  program
    .command('enrol-token')
    .description('agent enrolment tokens')
    .command('create')
    .description('create a one-time enrolment token for an agent (printed once)')
    .option('--expires-in <duration>', 'how long it stays valid: 30m, 24h, 7d (max 30d)', '24h')
    .option('--note <text>', 'what the token is for (stored with it)')
    .action(async (opts: { expiresIn: string; note?: string }) => {
      const expiresInMs = parseExpiresIn(opts.expiresIn);
      const env = readAgentAdminEnv(io.env);
      const created = await createEnrolToken({
        databaseUrl: env.databaseUrl,
        schema: env.schema,
        expiresInMs,
        ...(opts.note ? { note: opts.note.slice(0, 500) } : {}),
      });
      io.out(created.token);
      io.out(
        `One-time enrolment token ${created.id}, valid until ${created.expiresAt.toISOString()}. ` +
          'It is shown only now: give it to the agent (sessionrec-agent enrol).',
      );
    });

  program
    .command('agent')
    .description('enrolled agents')
    .command('revoke')
    .description('revoke an agent: ingest refuses its credential at once')
    .argument('<agentId>', 'the agent id')
    .option('--reason <text>', 'why (stored and published)')
    .action(async (agentId: string, opts: { reason?: string }) => {
      const revoked = await revokeAgent(readAgentAdminEnv(io.env), {
        agentId,
        revokedBy: operatorName(io.env),
        ...(opts.reason ? { reason: opts.reason.slice(0, 500) } : {}),
      });
      io.out(`Agent ${revoked.agentId} revoked at ${revoked.revokedAt}.`);
    });
}
