/**
 * The agent's configuration file (default /etc/sessionrec/agent.yaml): where ingest is,
 * where state, spool and the local socket live, and what to do when things go wrong.
 * It holds no secret (the credential is in the state directory, root only), so the
 * session wrapper, running as the user, reads it too.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';

export const DEFAULT_CONFIG_PATH = '/etc/sessionrec/agent.yaml';

export const agentConfig = z.strictObject({
  /** Ingest base URL, e.g. https://sessionrec.example.com:8081. */
  ingest: z.url({ protocol: /^https?$/ }),
  /** Identity (0600) and spool; root only. */
  stateDir: z.string().min(1).default('/var/lib/sessionrec-agent'),
  /** The Unix socket wrappers talk to the daemon on. */
  socket: z.string().min(1).max(100).default('/run/sessionrec-agent/agent.sock'),
  spool: z
    .strictObject({
      maxMb: z.number().int().min(1).max(1_048_576).default(1024),
      /**
       * When the spool is full: stop-recording lets sessions go on unrecorded;
       * refuse-sessions also refuses new logins until it has room again.
       */
      whenFull: z.enum(['stop-recording', 'refuse-sessions']).default('stop-recording'),
    })
    .prefault({}),
  policy: z
    .strictObject({
      /** Decision when ingest cannot be asked at session start. */
      failureMode: z.enum(['record', 'do-not-record']).default('record'),
    })
    .prefault({}),
  terminal: z
    .strictObject({
      /** A cast segment is cut at least this often while there is output. */
      segmentSeconds: z.number().min(1).max(600).default(10),
      idleSeconds: z.number().min(5).max(86_400).default(300),
      metricSeconds: z.number().min(1).max(3600).default(30),
      /** The shell to run when the user's login shell is the wrapper itself. */
      fallbackShell: z.string().min(1).default('/bin/bash'),
      /**
       * When the daemon cannot be reached: allow lets the user in unrecorded (and says so),
       * refuse turns the login away.
       */
      whenAgentDown: z.enum(['allow', 'refuse']).default('refuse'),
    })
    .prefault({}),
  /** Desktop sessions (`sessionrec-agent desktop`, started inside the user's X session). */
  desktop: z
    .strictObject({
      /**
       * Where desktop sessions connect (binary screen segments: a socket of their own);
       * default: desktop.sock beside `socket`.
       */
      socket: z.string().min(1).max(100).optional(),
      /**
       * A screen segment is cut after this much activity (each starts with a keyframe: the
       * main cost of a recording; 60 keeps office work within 10 MB/h, docs/agent-desktop.md).
       */
      segmentSeconds: z.number().min(1).max(60).default(60),
      idleSeconds: z.number().min(5).max(86_400).default(300),
      metricSeconds: z.number().min(1).max(3600).default(30),
      /** Mount points (globs) of removable storage; the detection policy may add more. */
      removableMounts: z
        .array(z.string().min(1).max(512))
        .max(100)
        .default(['/media/*', '/run/media/*/*']),
      /** Mount points (globs) of network storage; the detection policy may add more. */
      networkMounts: z.array(z.string().min(1).max(512)).max(100).default([]),
      /** Where block devices are listed (USB mass storage appears here). */
      sysBlockDir: z.string().min(1).default('/sys/block'),
      /** TCP ports of remote-display servers (xrdp, VNC) whose user connection is measured. */
      remotePorts: z.array(z.number().int().min(1).max(65535)).max(20).default([3389, 5900]),
      /** Byte bound of the pre-event buffer under record-on-event (time bound: policy). */
      preEventMaxMb: z.number().int().min(1).max(4096).default(64),
    })
    .prefault({}),
});
export type AgentConfig = z.infer<typeof agentConfig>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseConfig(text: string, file: string): AgentConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: not YAML (${(error as Error).message})`);
  }
  const parsed = agentConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${file}: ${issue?.path.join('.') || '(file)'}: ${issue?.message}`);
  }
  return parsed.data;
}

export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parseConfig(text, file);
}
