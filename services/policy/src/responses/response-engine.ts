/**
 * Evaluates response rules on one event and publishes the requests they make.
 *
 * Why PostgreSQL holds the state (not memory, not JetStream redelivery): counts over a
 * window, throttles and "already evaluated" must survive a restart and be shared by
 * replicas, and a redelivered event must never produce a second request. So everything
 * decided for one event — its evaluated mark, the hits it adds, the counts it consumes,
 * the throttle marks and the requests themselves (an outbox) — commits in one
 * transaction; the requests are published afterwards with ids derived from rule, action
 * and triggering events, and marked when JetStream has them. A crash before the commit
 * redoes the evaluation; after it, the redelivery only publishes what is still unmarked
 * (and JetStream's de-duplication absorbs a publish repeated before the mark).
 */
import { Injectable } from '@nestjs/common';
import type { EventRecorded, ResponseRequested } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import type { EntityManager } from 'typeorm';
import { ActiveResponseRules } from './active-response-rules';
import type {
  CompiledResponseRule,
  CompiledResponseRules,
  SessionFacts,
} from './compiled-response-rules';
import {
  actionParams,
  countReached,
  isThrottled,
  responseIdFor,
  sameRequestKey,
} from './response-decisions';
import { ResponseStateStore } from './response-state.store';

/** The event's session has not been seen (session.started not consumed yet). */
export class SessionNotKnownError extends Error {
  override readonly name = 'SessionNotKnownError';
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} is not known yet (no session.started), rules need its user`);
  }
}

@Injectable()
export class ResponseEngine {
  constructor(
    private readonly active: ActiveResponseRules,
    private readonly state: ResponseStateStore,
    private readonly messaging: Messaging,
  ) {}

  /**
   * Decides and publishes. `redelivered`: a previous delivery may have committed
   * requests it could not publish, so look for them even if nothing is decided now.
   */
  async onEvent(event: EventRecorded, redelivered: boolean): Promise<void> {
    const rules = this.active.compiled;
    const candidates = rules.candidates(event);
    const enqueued = candidates.length > 0 ? await this.decide(event, rules, candidates) : 0;
    if (enqueued > 0 || redelivered) await this.publishPending(event.eventId);
  }

  private async decide(
    event: EventRecorded,
    rules: CompiledResponseRules,
    candidates: readonly CompiledResponseRule[],
  ): Promise<number> {
    const at = new Date(event.at);
    return this.state.transaction(async (m) => {
      const needsSession = candidates.some((r) => r.needsSession);
      const { first, session } = await this.state.claim(
        m,
        event.eventId,
        needsSession ? event.sessionId : undefined,
      );
      if (!first) return 0;
      if (needsSession && !session) throw new SessionNotKnownError(event.sessionId);
      const decided = new Set<string>();
      let position = 0;
      for (const rule of candidates) {
        if (!rule.matchesSession(session)) continue;
        const scopeKey = scopeOf(rule, event, session);
        if (rule.count > 1 || rule.throttleSeconds > 0) {
          await this.state.lock(m, rule.id, scopeKey);
        }
        const eventIds = await this.counted(m, rule, scopeKey, event, at);
        if (eventIds) {
          for (const [index, action] of rule.actions.entries()) {
            // The same action with the same settings from an earlier rule: asked once.
            const key = sameRequestKey(action);
            if (decided.has(key)) continue;
            if (rule.throttleSeconds > 0) {
              const last = await this.state.lastRequest(m, rule.id, scopeKey, action.action);
              if (isThrottled(last, at, rule.throttleSeconds)) continue;
              await this.state.markRequest(m, rule.id, scopeKey, action.action, at);
            }
            decided.add(key);
            const request = requestFor(rule, index, event, eventIds, rules.version);
            await this.state.enqueue(m, event.eventId, position++, request);
          }
        }
        if (rule.final) break;
      }
      return position;
    });
  }

  /** The triggering events when the rule's count is reached with this event, else undefined. */
  private async counted(
    m: EntityManager,
    rule: CompiledResponseRule,
    scopeKey: string,
    event: EventRecorded,
    at: Date,
  ): Promise<string[] | undefined> {
    if (rule.count === 1 || rule.windowSeconds === undefined) return [event.eventId];
    const hits = await this.state.addHit(
      m,
      rule.id,
      scopeKey,
      { eventId: event.eventId, at },
      rule.windowSeconds,
      rule.count,
    );
    const reached = countReached(hits, rule.count);
    if (reached) await this.state.consumeHits(m, rule.id, scopeKey, reached);
    return reached;
  }

  private async publishPending(eventId: string): Promise<void> {
    for (const request of await this.state.unpublished(eventId)) {
      await this.messaging.publish('response.requested', request);
      await this.state.markPublished(request.responseId);
    }
  }
}

function requestFor(
  rule: CompiledResponseRule,
  actionIndex: number,
  event: EventRecorded,
  eventIds: string[],
  rulesVersion: number,
): ResponseRequested {
  const action = rule.actions[actionIndex];
  if (!action) throw new Error(`rule ${rule.id} has no action ${actionIndex}`);
  return {
    v: 1,
    responseId: responseIdFor(rule.id, actionIndex, eventIds),
    ruleId: rule.id,
    sessionId: event.sessionId,
    agentId: event.agentId,
    action: action.action,
    eventIds,
    params: { ...actionParams(action), rulesVersion, eventType: event.type },
    requestedAt: new Date().toISOString(),
  };
}

function scopeOf(
  rule: CompiledResponseRule,
  event: EventRecorded,
  session: SessionFacts | undefined,
): string {
  return rule.per === 'user' && session ? `user:${session.user}` : `session:${event.sessionId}`;
}
