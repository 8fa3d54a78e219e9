/**
 * Viewing policies over request/reply: the active document and its version (what the api
 * enforces; null before the first version, when the built-in viewing policy applies),
 * the stored versions, and publishing a new version (validated, audited, announced).
 */
import { Controller } from '@nestjs/common';
import { type ReplyOf, type RequestOf, validateViewingPolicy } from '@sessionrec/contracts';
import { OnRequest } from '@sessionrec/messaging';
import { PolicyPublisher } from '../engine/policy-publisher';
import { PolicyStore } from '../store/policy.store';
import { ActiveViewingPolicy } from './active-viewing-policy';

@Controller()
export class ViewingRpcController {
  constructor(
    private readonly active: ActiveViewingPolicy,
    private readonly store: PolicyStore,
    private readonly publisher: PolicyPublisher,
  ) {}

  @OnRequest('policy.viewing.get')
  async get(): Promise<ReplyOf<'policy.viewing.get'>> {
    return { v: 1, active: await this.store.active('viewing') };
  }

  @OnRequest('policy.viewing.list-versions')
  async listVersions(
    r: RequestOf<'policy.viewing.list-versions'>,
  ): Promise<ReplyOf<'policy.viewing.list-versions'>> {
    const { active, versions } = await this.store.versions('viewing', r.limit);
    return { v: 1, activeVersion: active, versions };
  }

  @OnRequest('policy.viewing.put')
  async put(r: RequestOf<'policy.viewing.put'>): Promise<ReplyOf<'policy.viewing.put'>> {
    const valid = validateViewingPolicy(r.document);
    if (!valid.ok) return { v: 1, ok: false, errors: [...valid.errors] };
    return this.publisher.publish(this.active, {
      document: valid.document,
      actor: r.actor,
      comment: r.comment,
    });
  }
}
