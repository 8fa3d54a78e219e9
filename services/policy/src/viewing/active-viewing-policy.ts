/**
 * The active viewing policy, validated and held in memory, reloaded on every announced
 * change. The api enforces it; this service only stores, audits and serves it.
 */
import { Injectable } from '@nestjs/common';
import { type ViewingPolicyDocument, validateViewingPolicy } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { ActiveDocument } from '../engine/active-document';
import { PolicyStore } from '../store/policy.store';

export interface LoadedViewingPolicy {
  readonly version: number;
  readonly document: ViewingPolicyDocument | undefined;
}

@Injectable()
export class ActiveViewingPolicy extends ActiveDocument<LoadedViewingPolicy> {
  constructor(store: PolicyStore, connection: MessagingConnection) {
    super('viewing', store, connection);
  }

  protected builtIn(): LoadedViewingPolicy {
    return { version: 0, document: undefined };
  }

  protected compile(document: unknown, version: number): LoadedViewingPolicy | undefined {
    const valid = validateViewingPolicy(document);
    return valid.ok ? { version, document: valid.document } : undefined;
  }
}
