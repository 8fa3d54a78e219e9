/** The active detection policy, compiled, reloaded on every announced change. */
import { Injectable } from '@nestjs/common';
import { validateDetectionPolicy } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { ActiveDocument } from '../engine/active-document';
import { PolicyStore } from '../store/policy.store';
import { CompiledDetectionPolicy } from './compiled-detection';

@Injectable()
export class ActiveDetectionPolicy extends ActiveDocument<CompiledDetectionPolicy> {
  constructor(store: PolicyStore, connection: MessagingConnection) {
    super('detection', store, connection);
  }

  protected builtIn(): CompiledDetectionPolicy {
    return CompiledDetectionPolicy.builtInDefault();
  }

  protected compile(document: unknown, version: number): CompiledDetectionPolicy | undefined {
    const valid = validateDetectionPolicy(document);
    return valid.ok ? CompiledDetectionPolicy.compile(valid.document, version) : undefined;
  }
}
