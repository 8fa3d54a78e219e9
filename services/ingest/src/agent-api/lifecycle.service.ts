/**
 * Session and recording lifecycle from agents. Each change is announced first and
 * recorded second, as segments are: the row is written only after JetStream's PubAck, so a
 * row always means "announced", and a repeated request finds the row and changes nothing.
 * A request that failed between the two is completed by the agent's retry (the
 * announcement is de-duplicated by its message id, and consumers are idempotent).
 *
 * No transaction is held while JetStream answers: when a thousand sessions started or
 * ended at once, transactions waiting on their PubAck held every pooled connection, and
 * segment rows queued behind them for seconds.
 */
import { Injectable } from '@nestjs/common';
import type { agentProtocol } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import type { z } from 'zod';
import { ResourceConflictError } from '../http/api-errors';
import { ownRecording, ownSession } from './ownership';
import { RecordsRepository } from './records.repository';

type SessionStart = agentProtocol.SessionStartRequest;
type SessionEnd = z.output<typeof agentProtocol.sessionEndRequest>;
type RecordingStart = z.output<typeof agentProtocol.recordingStartRequest>;
type RecordingStop = z.output<typeof agentProtocol.recordingStopRequest>;

export interface LifecycleResult {
  /** false when the request repeated one already applied. */
  created: boolean;
}

@Injectable()
export class LifecycleService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly messaging: Messaging,
  ) {}

  async startSession(agentId: string, body: SessionStart): Promise<LifecycleResult> {
    const existing = await this.records.findSession(body.sessionId);
    if (existing) return repeated(existing.agent_id === agentId, `session id ${body.sessionId}`);
    await this.messaging.publish('session.started', {
      v: 1,
      sessionId: body.sessionId,
      agentId,
      host: body.host,
      user: body.user,
      groups: body.groups,
      ...(body.clientAddress ? { clientAddress: body.clientAddress } : {}),
      protocol: body.protocol,
      startedAt: body.startedAt,
    });
    const inserted = await this.records.insertSession({
      id: body.sessionId,
      agentId,
      user: body.user,
      host: body.host,
      protocol: body.protocol,
      clientAddress: body.clientAddress,
      groups: body.groups,
      startedAt: body.startedAt,
    });
    if (inserted) return { created: true };
    // A copy of this request got there first (or, if another agent took the id meanwhile,
    // its announcement went out first and ours was dropped as a duplicate of its id).
    const winner = await this.records.findSession(body.sessionId);
    return repeated(winner?.agent_id === agentId, `session id ${body.sessionId}`);
  }

  async endSession(agentId: string, sessionId: string, body: SessionEnd): Promise<LifecycleResult> {
    const session = ownSession(await this.records.findSession(sessionId), agentId, sessionId);
    if (session.ended_at) return { created: false };
    await this.messaging.publish('session.ended', {
      v: 1,
      sessionId,
      agentId,
      endedAt: body.endedAt,
      reason: body.reason,
    });
    return { created: await this.records.endSession(sessionId, body.endedAt, body.reason) };
  }

  async startRecording(
    agentId: string,
    sessionId: string,
    body: RecordingStart,
  ): Promise<LifecycleResult> {
    ownSession(await this.records.sessionIdentity(sessionId), agentId, sessionId);
    const mine = (row: { agent_id: string; session_id: string } | undefined): boolean =>
      row?.agent_id === agentId && row.session_id === sessionId;
    const existing = await this.records.findRecording(body.recordingId);
    if (existing) return repeated(mine(existing), `recording id ${body.recordingId}`);
    await this.messaging.publish('recording.started', {
      v: 1,
      sessionId,
      recordingId: body.recordingId,
      agentId,
      at: body.at,
      reason: body.reason,
      kind: body.kind,
      ...(body.ruleId !== undefined ? { ruleId: body.ruleId } : {}),
      ...(body.policyVersion !== undefined ? { policyVersion: body.policyVersion } : {}),
      ...(body.actor !== undefined ? { actor: body.actor } : {}),
    });
    const inserted = await this.records.insertRecording({
      id: body.recordingId,
      sessionId,
      agentId,
      kind: body.kind,
      at: body.at,
      reason: body.reason,
      ruleId: body.ruleId,
      policyVersion: body.policyVersion,
      actor: body.actor,
    });
    if (inserted) return { created: true };
    const winner = await this.records.findRecording(body.recordingId);
    return repeated(mine(winner), `recording id ${body.recordingId}`);
  }

  async stopRecording(
    agentId: string,
    recordingId: string,
    body: RecordingStop,
  ): Promise<LifecycleResult> {
    const recording = ownRecording(
      await this.records.findRecording(recordingId),
      agentId,
      recordingId,
    );
    if (recording.stopped_at) return { created: false };
    await this.messaging.publish('recording.stopped', {
      v: 1,
      sessionId: recording.session_id,
      recordingId,
      agentId,
      at: body.at,
      reason: body.reason,
      ...(body.actor !== undefined ? { actor: body.actor } : {}),
    });
    return {
      created: await this.records.stopRecording(recordingId, body.at, body.reason, body.actor),
    };
  }
}

/** A request for an id that is already recorded: a repeat if it is ours, else a conflict. */
function repeated(ours: boolean, what: string): LifecycleResult {
  if (!ours) throw new ResourceConflictError(`${what} is already taken`);
  return { created: false };
}
