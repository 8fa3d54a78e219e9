/**
 * The policy service's request/reply API: evaluate from memory, read and list versions,
 * publish a new version (validated, audited, announced) and test a sample session.
 */
import { Controller } from '@nestjs/common';
import { type ReplyOf, type RequestOf, validateRecordingPolicy } from '@sessionrec/contracts';
import { OnRequest } from '@sessionrec/messaging';
import { ActivePolicy } from './engine/active-policy';
import { CompiledPolicy } from './engine/compiled-policy';
import { PolicyPublisher } from './engine/policy-publisher';
import { PolicyStore } from './store/policy.store';

@Controller()
export class PolicyRpcController {
  constructor(
    private readonly active: ActivePolicy,
    private readonly store: PolicyStore,
    private readonly publisher: PolicyPublisher,
  ) {}

  @OnRequest('policy.evaluate')
  evaluate(r: RequestOf<'policy.evaluate'>): Promise<ReplyOf<'policy.evaluate'>> {
    return Promise.resolve(this.active.policy.evaluate(r));
  }

  @OnRequest('policy.get')
  async get(): Promise<ReplyOf<'policy.get'>> {
    return { v: 1, active: await this.store.active('recording') };
  }

  @OnRequest('policy.list-versions')
  async listVersions(
    r: RequestOf<'policy.list-versions'>,
  ): Promise<ReplyOf<'policy.list-versions'>> {
    const { active, versions } = await this.store.versions('recording', r.limit);
    return { v: 1, activeVersion: active, versions };
  }

  @OnRequest('policy.put')
  async put(r: RequestOf<'policy.put'>): Promise<ReplyOf<'policy.put'>> {
    const valid = validateRecordingPolicy(r.document);
    if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
    return this.publisher.publish(this.active, {
      document: valid.document,
      actor: r.actor,
      comment: r.comment,
    });
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
