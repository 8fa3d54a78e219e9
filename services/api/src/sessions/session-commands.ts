/**
 * Sends a command to the agent of a running session over the control channel
 * (`control.command`) and audits who asked and why: dynamic recording and the actions
 * on sessions (lock, disconnect, log off, message) both go through here. Only a session
 * the person may view (viewing policy) can be acted on; an ended session is 409.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ControlAction } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';
import { CatalogClient } from '../catalog/catalog.client';
import { ConflictError, NotFoundError } from '../http/api-errors';
import { ViewingAccess } from '../viewing/viewing-access';
import { CommandResults, type CommandStatus } from './command-results';

/** How long an agent has to carry out a command before it is reported timed out. */
const COMMAND_TTL_MS = 60_000;

type Attributes = Record<string, string | number | boolean | null>;

export interface SessionCommand {
  readonly action: ControlAction;
  readonly params: Attributes;
  /** The audit action, e.g. `recording.start` or `session.lock`. */
  readonly audit: string;
}

@Injectable()
export class SessionCommands {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly viewing: ViewingAccess,
    private readonly messaging: Messaging,
    private readonly audit: AuditService,
    private readonly results: CommandResults,
  ) {}

  async send(
    user: Principal,
    sessionId: string,
    command: SessionCommand,
  ): Promise<{ commandId: string }> {
    const reply = await this.catalog.ask('catalog.session', {
      v: 1,
      sessionId,
      ...(await this.viewing.scopeFields(user)),
    });
    if (!reply.session) throw new NotFoundError(`session ${sessionId} is not in the catalogue`);
    if (reply.session.endedAt) throw new ConflictError(`session ${sessionId} has ended`);
    const { agentId } = reply.session;
    const commandId = randomUUID();
    const now = Date.now();
    const sent = {
      v: 1 as const,
      commandId,
      agentId,
      sessionId,
      action: command.action,
      params: command.params,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + COMMAND_TTL_MS).toISOString(),
      issuedBy: user.username,
    };
    // Known here before the agent can answer it (the NATS echo may come later).
    this.results.recordSent(sent);
    await this.messaging.publish('control.command', sent);
    await this.audit.byUser(
      user,
      command.audit,
      { type: 'session', id: sessionId },
      { commandId, agentId, ...command.params },
    );
    return { commandId };
  }

  /** What became of a command sent to this session (404 when unknown or not viewable). */
  async status(user: Principal, sessionId: string, commandId: string): Promise<CommandStatus> {
    const reply = await this.catalog.ask('catalog.session', {
      v: 1,
      sessionId,
      ...(await this.viewing.scopeFields(user)),
    });
    if (!reply.session) throw new NotFoundError(`session ${sessionId} is not in the catalogue`);
    const status = this.results.status(sessionId, commandId);
    if (!status) {
      throw new NotFoundError(
        `command ${commandId} was not sent to session ${sessionId}, or is forgotten`,
      );
    }
    return status;
  }
}
