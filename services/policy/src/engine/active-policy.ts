/** The active recording policy, compiled, reloaded on every announced change. */
import { Injectable } from '@nestjs/common';
import { validateRecordingPolicy } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { PolicyStore } from '../store/policy.store';
import { ActiveDocument } from './active-document';
import { CompiledPolicy } from './compiled-policy';

@Injectable()
export class ActivePolicy extends ActiveDocument<CompiledPolicy> {
  constructor(store: PolicyStore, connection: MessagingConnection) {
    super('recording', store, connection);
  }

  get policy(): CompiledPolicy {
    return this.compiled;
  }

  protected builtIn(): CompiledPolicy {
    return CompiledPolicy.builtInDefault();
  }

  protected compile(document: unknown, version: number): CompiledPolicy | undefined {
    const valid = validateRecordingPolicy(document);
    return valid.ok ? CompiledPolicy.compile(valid.document, version) : undefined;
  }
}
