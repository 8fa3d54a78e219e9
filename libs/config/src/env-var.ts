/**
 * Building blocks for declaring environment variables: a parser turns the raw string into
 * a typed value or a reason, and a registry remembers each variable's description, default
 * and secrecy so errors, docs and the README table all come from the declaration.
 */
import { z } from 'zod';

export interface EnvVarMeta {
  readonly description: string;
  /** The default as written in the environment (documentation and prefault). */
  readonly default?: string;
  /** A secret's value is never echoed in errors. */
  readonly secret?: boolean;
}

export const envRegistry = z.registry<EnvVarMeta>();

/** Returned by a parser to reject a value; the reason reads after the variable's name. */
export class Invalid {
  constructor(readonly reason: string) {}
}

/** A schema from an environment string to T. */
export type EnvParser<T> = z.ZodType<T, string>;

export function parsed<T>(parse: (raw: string) => T | Invalid): EnvParser<T> {
  return z.string().transform((raw, ctx) => {
    const result = parse(raw);
    if (result instanceof Invalid) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result;
  });
}

/** A variable that must be set. */
export function requiredVar<S extends EnvParser<unknown>>(schema: S, meta: EnvVarMeta): S {
  envRegistry.add(schema, meta);
  return schema;
}

/** A variable that may be unset; the value is then `undefined`. */
export function optionalVar<S extends EnvParser<unknown>>(
  schema: S,
  meta: Omit<EnvVarMeta, 'default'>,
): z.ZodOptional<S> {
  const optional = schema.optional();
  envRegistry.add(optional, meta);
  return optional;
}

/** A variable whose default is parsed exactly as if it had been set to that string. */
export function defaultVar<S extends EnvParser<unknown>>(
  schema: S,
  defaultValue: string,
  meta: Omit<EnvVarMeta, 'default'>,
): z.ZodPrefault<S> {
  const withDefault = z.prefault(schema, defaultValue as z.input<S>);
  envRegistry.add(withDefault, { ...meta, default: defaultValue });
  return withDefault;
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

export const envBoolean = parsed((raw) => {
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  return new Invalid('must be true/false/1/0/yes/no');
});

export function envInteger(min: number, max: number): EnvParser<number> {
  return parsed((raw) => {
    const value = raw.trim();
    const number = Number(value);
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      return new Invalid(`must be an integer ${min}-${max}`);
    }
    return number;
  });
}

export const envPort = envInteger(1, 65535);

export function envEnum<const T extends readonly [string, ...string[]]>(
  values: T,
): EnvParser<T[number]> {
  return parsed((raw) => {
    const value = raw.trim();
    return (values as readonly string[]).includes(value)
      ? value
      : new Invalid(`must be one of ${values.join('|')}`);
  });
}

/** An absolute URL with one of the given schemes (`'http:'`, `'nats:'`...) and a host. */
export function envUrl(protocols: readonly string[], reason: string): EnvParser<string> {
  return parsed((raw) => (isUrl(raw.trim(), protocols) ? raw.trim() : new Invalid(reason)));
}

export function isUrl(value: string, protocols: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return protocols.includes(url.protocol) && url.hostname !== '';
}

/** A non-empty string matching the pattern. */
export function envString(pattern: RegExp, reason: string): EnvParser<string> {
  return parsed((raw) => (pattern.test(raw) ? raw : new Invalid(reason)));
}

/**
 * Adds "set both or neither" checks for two variables of a group. They run even when other
 * variables of the group are invalid, so one error still lists every problem.
 */
export function setTogether<S extends z.ZodObject>(schema: S, a: string, b: string): S {
  const isSet = (value: unknown, key: string): boolean =>
    typeof value === 'object' &&
    value !== null &&
    (value as Record<string, unknown>)[key] !== undefined;
  const always = () => true;
  return schema
    .refine((value) => isSet(value, a) || !isSet(value, b), {
      message: `is required when ${b} is set`,
      path: [a],
      when: always,
    })
    .refine((value) => isSet(value, b) || !isSet(value, a), {
      message: `is required when ${a} is set`,
      path: [b],
      when: always,
    });
}
