/**
 * Detection policies over request/reply: read, list versions, publish (validated, audited,
 * announced), evaluate for a user on a host (what the agent should report) and test a
 * sample against the active policy or a draft.
 */
import { Controller } from '@nestjs/common';
import { type ReplyOf, type RequestOf, validateDetectionPolicy } from '@sessionrec/contracts';
import { OnRequest } from '@sessionrec/messaging';
import { PolicyPublisher } from '../engine/policy-publisher';
import { PolicyStore } from '../store/policy.store';
import { ActiveDetectionPolicy } from './active-detection-policy';
import {
  CompiledDetectionPolicy,
  DETECTION_BUILT_IN_RULE_ID,
  DETECTION_DEFAULT_RULE_ID,
} from './compiled-detection';

@Controller()
export class DetectionRpcController {
  constructor(
    private readonly active: ActiveDetectionPolicy,
    private readonly store: PolicyStore,
    private readonly publisher: PolicyPublisher,
  ) {}

  @OnRequest('policy.detection.get')
  async get(): Promise<ReplyOf<'policy.detection.get'>> {
    return { v: 1, active: await this.store.active('detection') };
  }

  @OnRequest('policy.detection.list-versions')
  async listVersions(
    r: RequestOf<'policy.detection.list-versions'>,
  ): Promise<ReplyOf<'policy.detection.list-versions'>> {
    const { active, versions } = await this.store.versions('detection', r.limit);
    return { v: 1, activeVersion: active, versions };
  }

  @OnRequest('policy.detection.put')
  async put(r: RequestOf<'policy.detection.put'>): Promise<ReplyOf<'policy.detection.put'>> {
    const valid = validateDetectionPolicy(r.document);
    if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
    return this.publisher.publish(this.active, {
      document: valid.document,
      actor: r.actor,
      comment: r.comment,
    });
  }

  @OnRequest('policy.detection.evaluate')
  evaluate(
    r: RequestOf<'policy.detection.evaluate'>,
  ): Promise<ReplyOf<'policy.detection.evaluate'>> {
    return Promise.resolve(this.active.compiled.evaluate(r));
  }

  @OnRequest('policy.detection.test')
  test(r: RequestOf<'policy.detection.test'>): Promise<ReplyOf<'policy.detection.test'>> {
    let policy = this.active.compiled;
    if (r.document !== undefined) {
      const valid = validateDetectionPolicy(r.document);
      if (!valid.ok) return Promise.resolve({ v: 1, ok: false, errors: [...valid.errors] });
      policy = CompiledDetectionPolicy.compile(valid.document, 0);
    }
    const result = policy.evaluate(r.subject);
    const why =
      result.ruleId === DETECTION_BUILT_IN_RULE_ID
        ? 'no detection policy is published: the built-in default reports every event'
        : result.ruleId === DETECTION_DEFAULT_RULE_ID
          ? 'no rule matched; the defaults apply'
          : `rule "${result.ruleId}" is the first rule that matches`;
    return Promise.resolve({
      v: 1,
      ok: true,
      result,
      explanation: `${result.events.length} event types reported: ${why}`,
    });
  }
}
