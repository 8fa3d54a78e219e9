/**
 * Who may see which recordings: the signed-in person's viewing scope under the active
 * viewing policy, sent with every catalogue question about sessions and recordings, so
 * search, session pages and playback agree (the indexer answers as if sessions outside
 * the scope did not exist, which the api turns into 404s).
 */
import { Injectable } from '@nestjs/common';
import { type ViewingScope, viewingScopeFor } from '@sessionrec/contracts';
import type { Principal } from '../auth/roles';
import { ViewingPolicySource } from './viewing-policy.source';

@Injectable()
export class ViewingAccess {
  constructor(private readonly policy: ViewingPolicySource) {}

  /** undefined: everything is visible to this person. */
  async scopeFor(principal: Principal): Promise<ViewingScope | undefined> {
    const { document } = await this.policy.active();
    return viewingScopeFor(document, principal);
  }

  /** The scope as request fields: nothing when unrestricted. */
  async scopeFields(principal: Principal): Promise<{ scope?: ViewingScope }> {
    const scope = await this.scopeFor(principal);
    return scope ? { scope } : {};
  }
}
