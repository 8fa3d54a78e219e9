/**
 * The active response rules compiled once into matchers. Matching an event is split in
 * two so the engine touches PostgreSQL only when it must: `candidates` needs the event
 * alone (type, attribute globs, time windows, outside hours); `matchesSession` needs who
 * and where (users, groups, hosts), which the engine looks up only for rules that ask.
 */
import {
  compileGlobs,
  type GlobList,
  DEFAULT_THROTTLE_SECONDS,
  type EventType,
  type ResponseRule,
  type ResponseRuleAction,
  type ResponseRulesDocument,
} from '@sessionrec/contracts';
import { type CompiledWindow, compileWindow, inWindow, localTime } from '../engine/time-window';

/** What the matchers read of an event. */
export interface EventFacts {
  readonly type: EventType;
  readonly at: string;
  readonly attributes: Readonly<Record<string, string | number | boolean | null>>;
}

/** Who and where the event's session is (from session.started). */
export interface SessionFacts {
  readonly user: string;
  readonly groups: readonly string[];
  readonly host: string;
}

interface EventMatcher {
  readonly type: EventType;
  readonly attributes: readonly (readonly [string, GlobList])[];
}

export class CompiledResponseRule {
  readonly id: string;
  readonly actions: readonly ResponseRuleAction[];
  readonly count: number;
  readonly windowSeconds: number | undefined;
  readonly per: 'session' | 'user';
  readonly throttleSeconds: number;
  readonly final: boolean;
  /** Whether matching needs the session's user, groups or host. */
  readonly needsSession: boolean;
  private readonly events: readonly EventMatcher[];
  private readonly users: GlobList | undefined;
  private readonly groups: GlobList | undefined;
  private readonly hosts: GlobList | undefined;
  private readonly inside: readonly CompiledWindow[] | undefined;
  private readonly outside: readonly CompiledWindow[] | undefined;

  constructor(rule: ResponseRule) {
    const m = rule.match;
    this.id = rule.id;
    this.actions = rule.actions;
    this.count = rule.condition?.count ?? 1;
    this.windowSeconds = rule.condition?.windowSeconds;
    this.per = rule.condition?.per ?? 'session';
    this.throttleSeconds = rule.throttleSeconds ?? DEFAULT_THROTTLE_SECONDS;
    this.final = rule.final ?? false;
    this.events = m.events.map((e) => ({
      type: e.eventType,
      attributes: Object.entries(e.attributes ?? {}).map(
        ([name, glob]) => [name, compileGlobs([glob])] as const,
      ),
    }));
    this.users = m.users ? compileGlobs(m.users) : undefined;
    this.groups = m.groups ? compileGlobs(m.groups) : undefined;
    this.hosts = m.hosts ? compileGlobs(m.hosts) : undefined;
    this.inside = m.timeWindows?.map(compileWindow);
    this.outside = m.outsideHours?.map(compileWindow);
    this.needsSession =
      this.users !== undefined ||
      this.groups !== undefined ||
      this.hosts !== undefined ||
      this.per === 'user';
  }

  /** Type and attributes (any listed event), then the time windows, in event time. */
  matchesEvent(e: EventFacts, at: Date): boolean {
    if (!this.events.some((m) => m.type === e.type && attributesMatch(m, e))) return false;
    if (this.inside && !this.inside.some((w) => inWindow(w, localTime(at, w.timeZone)))) {
      return false;
    }
    if (this.outside?.some((w) => inWindow(w, localTime(at, w.timeZone)))) return false;
    return true;
  }

  /** Users, groups and hosts: every field given must match, any pattern inside one. */
  matchesSession(s: SessionFacts | undefined): boolean {
    if (!this.needsSession) return true;
    if (!s) return false;
    if (this.users && !this.users.test(s.user)) return false;
    if (this.groups && !s.groups.some((g) => this.groups?.test(g))) return false;
    if (this.hosts && !this.hosts.test(s.host)) return false;
    return true;
  }
}

/** A missing or null attribute never matches; numbers and booleans match as text. */
function attributesMatch(m: EventMatcher, e: EventFacts): boolean {
  return m.attributes.every(([name, re]) => {
    const value = Object.hasOwn(e.attributes, name) ? e.attributes[name] : undefined;
    return value !== undefined && value !== null && re.test(String(value));
  });
}

export class CompiledResponseRules {
  private constructor(
    readonly version: number,
    readonly rules: readonly CompiledResponseRule[],
  ) {}

  static compile(document: ResponseRulesDocument, version: number): CompiledResponseRules {
    const enabled = document.rules.filter((r) => r.enabled !== false);
    return new CompiledResponseRules(
      version,
      enabled.map((r) => new CompiledResponseRule(r)),
    );
  }

  /** Before any rules are published nothing responds. */
  static none(): CompiledResponseRules {
    return new CompiledResponseRules(0, []);
  }

  /** The rules whose event conditions match, in document order. */
  candidates(e: EventFacts): CompiledResponseRule[] {
    const at = new Date(e.at);
    return this.rules.filter((r) => r.matchesEvent(e, at));
  }

  /**
   * The rules that match the event and its session, in order, ending with the first
   * final one. `session` undefined: rules that need it do not match.
   */
  matching(e: EventFacts, session: SessionFacts | undefined): CompiledResponseRule[] {
    const out: CompiledResponseRule[] = [];
    for (const rule of this.candidates(e)) {
      if (!rule.matchesSession(session)) continue;
      out.push(rule);
      if (rule.final) break;
    }
    return out;
  }
}
