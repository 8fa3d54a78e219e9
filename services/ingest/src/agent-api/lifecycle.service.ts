/**
 * Session and recording lifecycle from agents. Each change writes its row and publishes
 * its message in one transaction that commits only after JetStream's PubAck, so a row
 * always means "announced"; a repeated request finds the row and changes nothing.
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
    return this.records.transaction(async (em) => {
      const inserted = await this.records.insertSession(em, {
        id: body.sessionId,
        agentId,
        user: body.user,
        host: body.host,
        protocol: body.protocol,
        clientAddress: body.clientAddress,
        groups: body.groups,
        startedAt: body.startedAt,
      });
      if (!inserted) {
        const existing = await this.records.findSession(body.sessionId, em);
        if (existing && existing.agent_id !== agentId) {
          throw new ResourceConflictError(`session id ${body.sessionId} is already taken`);
        }
        return { created: false };
      }
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
      return { created: true };
    });
  }

  async endSession(agentId: string, sessionId: string, body: SessionEnd): Promise<LifecycleResult> {
    return this.records.transaction(async (em) => {
      const session = ownSession(
        await this.records.findSession(sessionId, em, true),
        agentId,
        sessionId,
      );
      if (session.ended_at) return { created: false };
      await this.records.endSession(em, sessionId, body.endedAt, body.reason);
      await this.messaging.publish('session.ended', {
        v: 1,
        sessionId,
        agentId,
        endedAt: body.endedAt,
        reason: body.reason,
      });
      return { created: true };
    });
  }

  async startRecording(
    agentId: string,
    sessionId: string,
    body: RecordingStart,
  ): Promise<LifecycleResult> {
    return this.records.transaction(async (em) => {
      ownSession(await this.records.findSession(sessionId, em), agentId, sessionId);
      const inserted = await this.records.insertRecording(em, {
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
      if (!inserted) {
        const existing = await this.records.findRecording(body.recordingId, em);
        if (existing?.agent_id !== agentId || existing.session_id !== sessionId) {
          throw new ResourceConflictError(`recording id ${body.recordingId} is already taken`);
        }
        return { created: false };
      }
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
      return { created: true };
    });
  }

  async stopRecording(
    agentId: string,
    recordingId: string,
    body: RecordingStop,
  ): Promise<LifecycleResult> {
    return this.records.transaction(async (em) => {
      const recording = ownRecording(
        await this.records.findRecording(recordingId, em, true),
        agentId,
        recordingId,
      );
      if (recording.stopped_at) return { created: false };
      await this.records.stopRecording(em, recordingId, body.at, body.reason, body.actor);
      await this.messaging.publish('recording.stopped', {
        v: 1,
        sessionId: recording.session_id,
        recordingId,
        agentId,
        at: body.at,
        reason: body.reason,
        ...(body.actor !== undefined ? { actor: body.actor } : {}),
      });
      return { created: true };
    });
  }
}
