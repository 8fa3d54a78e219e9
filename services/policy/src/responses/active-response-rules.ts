/** The active response rules, compiled, reloaded on every announced change. */
import { Injectable } from '@nestjs/common';
import { validateResponseRules } from '@sessionrec/contracts';
import { MessagingConnection } from '@sessionrec/messaging';
import { ActiveDocument } from '../engine/active-document';
import { PolicyStore } from '../store/policy.store';
import { CompiledResponseRules } from './compiled-response-rules';

@Injectable()
export class ActiveResponseRules extends ActiveDocument<CompiledResponseRules> {
  constructor(store: PolicyStore, connection: MessagingConnection) {
    super('responses', store, connection);
  }

  protected builtIn(): CompiledResponseRules {
    return CompiledResponseRules.none();
  }

  protected compile(document: unknown, version: number): CompiledResponseRules | undefined {
    const valid = validateResponseRules(document);
    return valid.ok ? CompiledResponseRules.compile(valid.document, version) : undefined;
  }
}
