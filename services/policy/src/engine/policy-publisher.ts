/**
 * Publishing a new version of any policy kind: store it, audit who changed what (a diff of
 * rule ids, order, default and the rest), recompile here at once and announce the change
 * so every other instance reloads too. The caller has validated the document.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PolicyKind, ReplyOf } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { PolicyStore } from '../store/policy.store';
import type { ActiveDocument } from './active-document';
import { changedRuleIds, diffPolicies } from './diff';

/** The audit target of each kind (recording keeps the id it has always had). */
const AUDIT_TARGET: Readonly<Record<PolicyKind, { type: string; id: string }>> = {
  recording: { type: 'recording-policy', id: 'recording' },
  detection: { type: 'detection-policy', id: 'detection' },
  responses: { type: 'response-rules', id: 'responses' },
  viewing: { type: 'viewing-policy', id: 'viewing' },
};

export interface PolicyChange {
  readonly document: unknown;
  readonly actor: { readonly id: string; readonly name: string };
  readonly comment?: string | undefined;
}

@Injectable()
export class PolicyPublisher {
  constructor(
    private readonly store: PolicyStore,
    private readonly messaging: Messaging,
  ) {}

  async publish(
    active: ActiveDocument<{ readonly version: number }>,
    change: PolicyChange,
  ): Promise<ReplyOf<'policy.put'>> {
    const { kind } = active;
    const { version, previous } = await this.store.publish(
      kind,
      change.document,
      change.actor,
      change.comment,
    );
    const diff = diffPolicies(previous, change.document);
    await this.messaging.publish('audit', {
      v: 1,
      auditId: randomUUID(),
      at: new Date().toISOString(),
      actor: { type: 'user', id: change.actor.id, name: change.actor.name },
      action: 'policy.update',
      target: AUDIT_TARGET[kind],
      details: {
        kind,
        version,
        previousVersion: version - 1,
        addedRules: diff.added.join(',').slice(0, 8000),
        removedRules: diff.removed.join(',').slice(0, 8000),
        changedRules: diff.changed.join(',').slice(0, 8000),
        reordered: diff.reordered,
        defaultChanged: diff.defaultChanged,
        otherChanged: diff.otherChanged,
        ...(change.comment ? { comment: change.comment } : {}),
      },
    });
    await active.reload();
    await active.announce(version);
    return { v: 1, ok: true, version, changedRuleIds: changedRuleIds(diff).slice(0, 2000) };
  }
}
