/**
 * The one way services read configuration: every variable is validated at boot and all
 * problems are reported together, so an operator fixes the environment in one pass.
 */
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';
import { envRegistry } from './env-var';
import { redactUrlCredentials } from './redact-url';

/** Names that are treated as secret even when a schema forgot to say so. */
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY/i;
const MAX_SHOWN = 80;

/**
 * Parses `env` with `schema`. A key of the schema is either an environment variable name
 * or a nested object schema (a group such as `natsEnv`) read from the same environment.
 * Empty strings count as unset. Throws `ConfigError` listing every bad variable.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const secrets = new Set<string>();
  const input = readInput(schema, env, secrets);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(describeIssues(result.error.issues, env, secrets));
}

function readInput(
  schema: z.ZodObject,
  env: NodeJS.ProcessEnv,
  secrets: Set<string>,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (field instanceof z.ZodObject) {
      input[key] = readInput(field, env, secrets);
      continue;
    }
    if (envRegistry.get(field)?.secret === true || SECRET_NAME.test(key)) secrets.add(key);
    const value = env[key];
    input[key] = value === '' ? undefined : value;
  }
  return input;
}

function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  env: NodeJS.ProcessEnv,
  secrets: ReadonlySet<string>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of issues) {
    const variable = String(issue.path.at(-1) ?? '(configuration)');
    const raw = env[variable];
    const unset = raw === undefined || raw === '';
    const reason = unset && issue.code === 'invalid_type' ? 'is required' : issue.message;
    const shown = unset ? 'not set' : secrets.has(variable) ? 'set' : `got ${quote(raw)}`;
    const line = `${reason} (${shown})`;
    const key = `${variable}\0${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ variable, reason: line });
  }
  return problems;
}

function quote(raw: string): string {
  const masked = redactUrlCredentials(raw);
  const cut = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
  return JSON.stringify(cut);
}
