/**
 * The routes every stored policy kind has — read the active version, publish a new one
 * (policy-admin or admin; 400 names each bad field), list versions — made once for each
 * kind: its controller extends `StoredPolicyRoutes({...})` and adds what is its own.
 */
import { Body, Get, Injectable, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import {
  activeOr404,
  actorOf,
  publishedOr400,
  requirePolicyAdmin,
  versionsOf,
} from './policy-http';
import { PolicyClient } from './policy.client';

/** The request names of one kind; they all share the get/put/list-versions contracts. */
export interface StoredPolicyKind {
  readonly get: 'policy.get' | `policy.${'detection' | 'responses' | 'viewing'}.get`;
  readonly put: 'policy.put' | `policy.${'detection' | 'responses' | 'viewing'}.put`;
  readonly versions:
    'policy.list-versions' | `policy.${'detection' | 'responses' | 'viewing'}.list-versions`;
  /** "the recording policy", "the response rules", ... */
  readonly label: string;
  /** The 404 message before the first version: what applies instead. */
  readonly whenNone: string;
}

export function StoredPolicyRoutes(kind: StoredPolicyKind) {
  @Injectable()
  class Routes {
    constructor(readonly policies: PolicyClient) {}

    @Get()
    @ApiOperation({ summary: `The active version of ${kind.label}` })
    async active() {
      return activeOr404(
        await this.policies.ask(kind.get as 'policy.get', { v: 1 }),
        kind.whenNone,
      );
    }

    @Put()
    @ApiOperation({ summary: `Publish a new version of ${kind.label} (policy-admin or admin)` })
    async put(@CurrentUser() user: Principal, @Body() body: unknown) {
      requirePolicyAdmin(user);
      return publishedOr400(
        await this.policies.ask(kind.put as 'policy.put', {
          v: 1,
          document: body,
          actor: actorOf(user),
        }),
      );
    }

    @Get('versions')
    @ApiOperation({ summary: `Stored versions of ${kind.label}, newest first` })
    async versions() {
      return versionsOf(
        await this.policies.ask(kind.versions as 'policy.list-versions', { v: 1, limit: 100 }),
      );
    }
  }
  return Routes;
}
