/**
 * Response rules over request/reply: read, list versions, publish (validated, audited,
 * announced) and test which rules a sample event matches, against the active rules or a
 * draft. Counts, windows and throttles are state; the test shows what each rule needs.
 */
import { Controller } from '@nestjs/common';
import { type ReplyOf, type RequestOf, validateResponseRules } from '@sessionrec/contracts';
import { OnRequest } from '@sessionrec/messaging';
import { PolicyPublisher } from '../engine/policy-publisher';
import { PolicyStore } from '../store/policy.store';
import { ActiveResponseRules } from './active-response-rules';
import { CompiledResponseRules } from './compiled-response-rules';

@Controller()
export class ResponsesRpcController {
  constructor(
    private readonly active: ActiveResponseRules,
    private readonly store: PolicyStore,
    private readonly publisher: PolicyPublisher,
  ) {}

  @OnRequest('policy.responses.get')
  async get(): Promise<ReplyOf<'policy.responses.get'>> {
    return { v: 1, active: await this.store.active('responses') };
  }

  @OnRequest('policy.responses.list-versions')
  async listVersions(
    r: RequestOf<'policy.responses.list-versions'>,
  ): Promise<ReplyOf<'policy.responses.list-versions'>> {
    const { active, versions } = await this.store.versions('responses', r.limit);
    return { v: 1, activeVersion: active, versions };
  }

  @OnRequest('policy.responses.put')
  async put(r: RequestOf<'policy.responses.put'>): Promise<ReplyOf<'policy.responses.put'>> {
    const valid = validateResponseRules(r.document);
    if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
    return this.publisher.publish(this.active, {
      document: valid.document,
      actor: r.actor,
      comment: r.comment,
    });
  }

  @OnRequest('policy.responses.test')
  test(r: RequestOf<'policy.responses.test'>): Promise<ReplyOf<'policy.responses.test'>> {
    let rules = this.active.compiled;
    if (r.document !== undefined) {
      const valid = validateResponseRules(r.document);
      if (!valid.ok) return Promise.resolve({ v: 1, ok: false, errors: [...valid.errors] });
      rules = CompiledResponseRules.compile(valid.document, 0);
    }
    const matches = rules.matching(r.event, r.session).map((rule) => ({
      ruleId: rule.id,
      actions: rule.actions.map((a) => a.action),
      count: rule.count,
      ...(rule.windowSeconds === undefined ? {} : { windowSeconds: rule.windowSeconds }),
      per: rule.per,
      throttleSeconds: rule.throttleSeconds,
    }));
    const explanation =
      matches.length === 0
        ? 'no rule matches this event'
        : matches
            .map((m) =>
              m.count > 1
                ? `rule "${m.ruleId}" counts it (fires at ${m.count} within ${m.windowSeconds ?? 0} s per ${m.per})`
                : `rule "${m.ruleId}" fires (${m.actions.join(', ')})`,
            )
            .join('; ')
            .slice(0, 2000);
    return Promise.resolve({ v: 1, ok: true, rulesVersion: rules.version, matches, explanation });
  }
}
