/**
 * The policy service's request/reply API: evaluate from memory, read and list versions,
 * publish a new version (validated, audited, announced) and test a sample session.
 */
import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { type ReplyOf, type RequestOf, validateRecordingPolicy } from '@sessionrec/contracts';
import { Messaging, OnRequest } from '@sessionrec/messaging';
import { ActivePolicy } from './engine/active-policy';
import { CompiledPolicy } from './engine/compiled-policy';
import { changedRuleIds, diffPolicies } from './engine/diff';
import { PolicyStore } from './store/policy.store';

@Controller()
export class PolicyRpcController {
  constructor(
    private readonly active: ActivePolicy,
    private readonly store: PolicyStore,
    private readonly messaging: Messaging,
  ) {}

  @OnRequest('policy.evaluate')
  evaluate(r: RequestOf<'policy.evaluate'>): Promise<ReplyOf<'policy.evaluate'>> {
    return Promise.resolve(this.active.policy.evaluate(r));
  }

  @OnRequest('policy.get')
  async get(): Promise<ReplyOf<'policy.get'>> {
    return { v: 1, active: await this.store.active() };
  }

  @OnRequest('policy.list-versions')
  async listVersions(
    r: RequestOf<'policy.list-versions'>,
  ): Promise<ReplyOf<'policy.list-versions'>> {
    const { active, versions } = await this.store.versions(r.limit);
    return { v: 1, activeVersion: active, versions };
  }

  @OnRequest('policy.put')
  async put(r: RequestOf<'policy.put'>): Promise<ReplyOf<'policy.put'>> {
    const valid = validateRecordingPolicy(r.document);
    if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
    const { version, previous } = await this.store.publish(valid.document, r.actor, r.comment);
    const diff = diffPolicies(previous, valid.document);
    const changed = changedRuleIds(diff);
    await this.messaging.publish('audit', {
      v: 1,
      auditId: randomUUID(),
      at: new Date().toISOString(),
      actor: { type: 'user', id: r.actor.id, name: r.actor.name },
      action: 'policy.update',
      target: { type: 'recording-policy', id: 'recording' },
      details: {
        version,
        previousVersion: version - 1,
        addedRules: diff.added.join(',').slice(0, 8000),
        removedRules: diff.removed.join(',').slice(0, 8000),
        changedRules: diff.changed.join(',').slice(0, 8000),
        reordered: diff.reordered,
        defaultChanged: diff.defaultChanged,
        ...(r.comment ? { comment: r.comment } : {}),
      },
    });
    await this.active.reload();
    await this.active.announce(version);
    return { v: 1, ok: true, version, changedRuleIds: changed.slice(0, 2000) };
  }

  @OnRequest('policy.test')
  test(r: RequestOf<'policy.test'>): Promise<ReplyOf<'policy.test'>> {
    return Promise.resolve(this.testNow(r));
  }

  private testNow(r: RequestOf<'policy.test'>): ReplyOf<'policy.test'> {
    let policy = this.active.policy;
    if (r.document !== undefined) {
      const valid = validateRecordingPolicy(r.document);
      if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
      policy = CompiledPolicy.compile(valid.document, 0);
    }
    const result = policy.evaluate(r.session);
    const recorded = result.decision === 'record';
    const why =
      result.ruleId === 'default' || result.ruleId === 'built-in-default'
        ? `no rule matched; the ${result.ruleId === 'default' ? 'default rule' : 'built-in default (no policy published)'} applies`
        : `rule "${result.ruleId}" is the first rule that matches`;
    const what =
      result.decision === 'record-on-event'
        ? 'recorded only when one of its trigger events occurs'
        : recorded
          ? 'recorded'
          : 'not recorded';
    return { v: 1, ok: true, result, recorded, explanation: `${what}: ${why}` };
  }
}
