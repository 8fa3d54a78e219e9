/** The one error thrown when the environment does not describe a valid configuration. */
export interface ConfigProblem {
  /** The environment variable's name, e.g. `NATS_URL`. */
  readonly variable: string;
  /** Why it is wrong, followed by the offending value (or `(set)` for secrets). */
  readonly reason: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n')}`,
    );
  }
}
