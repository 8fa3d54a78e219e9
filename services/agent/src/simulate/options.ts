/**
 * The simulator's settings, validated once: the CLI and library callers (the
 * benchmark) both go through `simulationOptions`, so a bad number is one clear error.
 */
import { z } from 'zod';

export const simulationKind = z.enum(['desktop', 'terminal', 'mixed']);

export const simulationOptions = z.strictObject({
  ingest: z.string().min(1),
  /** One-time enrolment token; only needed when the state dir holds no identity yet. */
  token: z.string().min(1).max(256).optional(),
  stateDir: z.string().min(1),
  /** Parent of the per-agent spool directory; default <stateDir>/spool. */
  spoolDir: z.string().min(1).optional(),
  sessions: z.number().int().min(1).max(10_000),
  durationSeconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600),
  kind: simulationKind.default('mixed'),
  segmentSeconds: z.number().min(0.5).max(600).default(6),
  /** Event batches per second per session. */
  eventRate: z.number().positive().max(100).default(2),
  /** Simulated seconds per wall-clock second. */
  speed: z.number().min(0.01).max(10_000).default(1),
  /**
   * Simulated seconds over which the sessions start, evenly spaced (0: all at once). Real
   * sessions start at different times, so their segment boundaries and batches are spread;
   * sessions started together cut their segments in the same instant, every interval.
   */
  rampUpSeconds: z
    .number()
    .nonnegative()
    .max(24 * 3600)
    .default(0),
  spoolMaxBytes: z
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  uploadConcurrency: z.number().int().min(1).max(1024).default(8),
  /** How long to wait after the last session for the spool to empty. */
  drainTimeoutSeconds: z.number().nonnegative().max(86_400).default(60),
  control: z.boolean().default(true),
  /**
   * `policy`: ask policy for each session (through ingest) and obey it, as a real agent
   * does; `always`: record every session whatever policy says (load generation, demos
   * without a policy).
   */
  record: z.enum(['policy', 'always']).default('policy'),
  /** Decision when ingest cannot be reached to ask policy. */
  policyFailureMode: z.enum(['record', 'do-not-record']).default('do-not-record'),
  /** Each session emits, at this session time, an event that fires its record-on-event rule. */
  triggerAtSeconds: z.number().nonnegative().optional(),
  /** fsync spooled items (off only for load generation: see Spool). */
  spoolFsync: z.boolean().default(true),
  /** Keep the spool in memory (load generation only: see Spool). */
  spoolInMemory: z.boolean().default(false),
  seed: z.number().int().nonnegative().optional(),
  /** Progress line period on the log; 0 turns it off. */
  progressIntervalMs: z.number().int().nonnegative().default(2000),
  /** Desktop fixture directory (init.mp4, NNNN.m4s); the committed fixtures by default. */
  fixturesDir: z.string().min(1).optional(),
});

export type SimulationOptionsInput = z.input<typeof simulationOptions>;
export type SimulationOptions = z.output<typeof simulationOptions>;

export class SimulationOptionsError extends Error {
  override readonly name = 'SimulationOptionsError';
}

export function parseSimulationOptions(input: SimulationOptionsInput): SimulationOptions {
  const parsed = simulationOptions.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
    );
    throw new SimulationOptionsError(problems.join('; '));
  }
  return parsed.data;
}
