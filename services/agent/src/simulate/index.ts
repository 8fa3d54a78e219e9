/**
 * `runSimulation`: N synthetic sessions from one enrolled agent, end to end through
 * the spool, the uploader and the control channel, returning what ingest acknowledged.
 * The CLI (`sessionrec-agent simulate`) and the benchmark both call this.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import { type ControlCommand, ControlClient, type CommandVerdict } from '../control/control-client';
import { IngestClient, normaliseIngestUrl } from '../http/ingest-client';
import { ensureIdentity } from '../identity/enrol';
import { PolicyClient } from '../policy/policy-client';
import { DesktopFixtures } from '../media/desktop-fixtures';
import { Random } from '../random';
import { Spool } from '../spool/spool';
import type { SpoolItem } from '../spool/spool-item';
import { Uploader } from '../upload/uploader';
import { SimClock } from './clock';
import { LOOP_SAMPLE_MS, loopLatenessMs } from './loop-lateness';
import { type SimulationOptionsInput, parseSimulationOptions } from './options';
import { SimulatedSession, type Submit } from './session';
import { type SimulationSummary, buildSummary } from './summary';

export * from './options';

/** Ingest no longer accepts the agent's credential (revoked, or the identity is stale). */
export class AgentCredentialError extends Error {
  override readonly name = 'AgentCredentialError';
}
export * from './summary';

export interface SimulationHooks {
  /** Progress and log lines (stderr in the CLI). Never receives secrets. */
  readonly log?: (line: string) => void;
  /** Stops the simulation early: sessions end now, the spool drains as usual. */
  readonly signal?: AbortSignal;
  /** Every request ingest acknowledged, as spooled (tests check what arrived where). */
  readonly onAcked?: (item: SpoolItem, status: number) => void;
}

export async function runSimulation(
  input: SimulationOptionsInput,
  hooks: SimulationHooks = {},
): Promise<SimulationSummary> {
  const options = parseSimulationOptions(input);
  const log = hooks.log ?? (() => undefined);
  const started = performance.now();
  // The simulator's own lateness: its request latencies include it, so a reader can tell
  // a slow ingest from a busy load generator (the benchmark runs thousands of sessions in
  // this one process).
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loopDelay.enable();
  const fixtures = await DesktopFixtures.load(options.fixturesDir);
  const { identity, enrolled } = await ensureIdentity({
    ingest: options.ingest,
    token: options.token,
    stateDir: options.stateDir,
  });
  log(
    enrolled
      ? `enrolled as agent ${identity.agentId}`
      : `using stored identity of agent ${identity.agentId}`,
  );

  const spoolDir = path.join(
    options.spoolDir ?? path.join(options.stateDir, 'spool'),
    identity.agentId,
  );
  const { spool, recovered } = await Spool.open({
    dir: spoolDir,
    maxBytes: options.spoolMaxBytes,
    fsync: options.spoolFsync,
    memory: options.spoolInMemory,
  });
  const client = new IngestClient(options.ingest, identity.credential);
  // Policy questions are answered at once or not at all: a session cannot wait on a retry loop.
  const policy =
    options.record === 'policy'
      ? new PolicyClient(
          new IngestClient(options.ingest, identity.credential, 5_000),
          options.policyFailureMode,
        )
      : undefined;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // every session waits on it
  const onOuterAbort = () => abort.abort();
  hooks.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let fatal: Error | undefined;
  // Set from callbacks (spool full, credential refused); read through a function so the
  // compiler does not assume it stays unset.
  const throwIfFatal = () => {
    if (fatal) throw fatal;
  };
  const uploader = new Uploader({
    client,
    spool,
    concurrency: options.uploadConcurrency,
    log,
    ...(hooks.onAcked ? { onAcked: hooks.onAcked } : {}),
    onUnauthorized: (reason) => {
      fatal ??= new AgentCredentialError(
        `ingest refused this agent's credential (${reason}); the spool is kept in ${spool.dir}. ` +
          'Enrol again (a revoked agent needs a new token).',
      );
      abort.abort();
    },
  });

  const durationMs = options.durationSeconds * 1000;
  const random = new Random(options.seed ?? randomInt(2 ** 31));
  const sessions = new Map<string, SimulatedSession>();
  const control = options.control
    ? new ControlClient({
        ingest: options.ingest,
        credential: identity.credential,
        log,
        onCommand: (command) => handleCommand(command, sessions, log),
      })
    : undefined;
  const submit: Submit = async (meta, body) => {
    try {
      const item = await spool.put(
        { ...meta, headers: meta.headers ?? {}, createdAt: new Date().toISOString() },
        body,
      );
      uploader.enqueue(item);
    } catch (error) {
      fatal ??= error as Error;
      abort.abort();
      throw error;
    }
  };

  const progress =
    options.progressIntervalMs > 0
      ? setInterval(
          () => log(progressLine(performance.now() - started, sessions, uploader, spool, control)),
          options.progressIntervalMs,
        )
      : undefined;
  try {
    if (recovered.length > 0) {
      log(`spool: sending ${recovered.length} items left by an earlier run first`);
      for (const item of recovered) uploader.enqueue(item, true);
      await withTimeout(uploader.idle(), options.drainTimeoutSeconds * 1000);
      throwIfFatal();
    }
    control?.start();
    const rampMs = options.rampUpSeconds * 1000;
    // The last session starts rampMs after the first and runs its whole duration.
    const clock = new SimClock(options.speed, durationMs + rampMs);
    const simZero = clock.now();
    const runs: Promise<void>[] = [];
    for (let i = 0; i < options.sessions; i += 1) {
      const protocol =
        options.kind === 'mixed' ? (i % 2 === 0 ? 'desktop' : 'terminal') : options.kind;
      const session = new SimulatedSession({
        protocol,
        durationMs,
        segmentMs: options.segmentSeconds * 1000,
        eventIntervalMs: 1000 / options.eventRate,
        fixtures,
        random: random.fork(),
        clock,
        submit,
        log,
        ...(policy
          ? {
              decide: (question) => policy.evaluate(question),
              detect: (question) => policy.detection(question),
            }
          : {}),
        ...(options.triggerAtSeconds !== undefined
          ? { triggerAtMs: options.triggerAtSeconds * 1000 }
          : {}),
      });
      sessions.set(session.id, session);
      const startAtMs = options.sessions > 1 ? (i * rampMs) / options.sessions : 0;
      runs.push(
        startAtMs === 0
          ? session.run(abort.signal)
          : clock
              .until(simZero + startAtMs, abort.signal)
              .then((due) => (due ? session.run(abort.signal) : undefined)),
      );
    }
    const results = await Promise.allSettled(runs);
    throwIfFatal();
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const drained = await withTimeout(uploader.idle(), options.drainTimeoutSeconds * 1000);
    throwIfFatal();
    if (!drained) {
      log(
        `spool: ${uploader.queued} items still unacknowledged after ${options.drainTimeoutSeconds} s; they stay in ${spool.dir}`,
      );
    }
  } finally {
    if (progress) clearInterval(progress);
    hooks.signal?.removeEventListener('abort', onOuterAbort);
    uploader.stop();
    await control?.stop();
    loopDelay.disable();
  }
  return buildSummary({
    agentId: identity.agentId,
    ingest: normaliseIngestUrl(options.ingest).toString(),
    settings: {
      sessions: options.sessions,
      durationSeconds: options.durationSeconds,
      kind: options.kind,
      segmentSeconds: options.segmentSeconds,
      eventRate: options.eventRate,
      speed: options.speed,
      rampUpSeconds: options.rampUpSeconds,
      uploadConcurrency: options.uploadConcurrency,
    },
    wallMs: performance.now() - started,
    stats: uploader.stats,
    control: control ? control.stats : null,
    spool: { dir: spool.dir, remaining: uploader.queued, remainingBytes: spool.bytes },
    loopDelayMs: {
      p99: loopLatenessMs(loopDelay.percentile(99)),
      max: loopLatenessMs(loopDelay.max),
    },
  });
}

async function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function handleCommand(
  command: ControlCommand,
  sessions: ReadonlyMap<string, SimulatedSession>,
  log: (line: string) => void,
): Promise<CommandVerdict> {
  const actor = typeof command.params.actor === 'string' ? command.params.actor : undefined;
  log(`control: ${command.action} ${command.sessionId ?? '(agent)'} [${command.commandId}]`);
  if (command.action === 'policy-updated') {
    const running = [...sessions.values()].filter((session) => !session.isEnded);
    await Promise.all(running.map((session) => session.policyChanged()));
    return { status: 'acked', detail: `re-evaluated ${running.length} session(s)` };
  }
  if (command.action !== 'start-recording' && command.action !== 'stop-recording') {
    if (command.sessionId && !sessions.has(command.sessionId))
      return { status: 'failed', detail: 'unknown session' };
    return { status: 'acked', detail: 'simulated' };
  }
  const session = command.sessionId ? sessions.get(command.sessionId) : undefined;
  if (!session)
    return {
      status: 'failed',
      detail: command.sessionId ? 'unknown session' : 'sessionId is required',
    };
  const problem =
    command.action === 'start-recording'
      ? await session.commandStart(actor)
      : await session.commandStop(actor);
  return problem ? { status: 'failed', detail: problem } : { status: 'acked' };
}

function progressLine(
  elapsedMs: number,
  sessions: ReadonlyMap<string, SimulatedSession>,
  uploader: Uploader,
  spool: Spool,
  control: ControlClient | undefined,
): string {
  const active = [...sessions.values()].filter((session) => !session.isEnded).length;
  const s = uploader.stats;
  const seg = s.counts('segment');
  const ev = s.counts('events');
  const me = s.counts('metrics');
  return [
    `[${(elapsedMs / 1000).toFixed(1).padStart(6)} s]`,
    `sessions ${active}/${sessions.size} active`,
    `segments ${seg.acked}/${seg.spooled} acked`,
    `events ${ev.ackedUnits}/${ev.spooledUnits}`,
    `metrics ${me.ackedUnits}/${me.spooledUnits}`,
    `retries ${s.retries}`,
    `spool ${(spool.bytes / 1048576).toFixed(1)} MiB (${uploader.queued} items)`,
    control ? `control ${control.connected ? 'up' : 'down'}` : 'control off',
  ].join(' | ');
}
