/**
 * Viewing policies over REST (who may watch recordings of whom): read the active version,
 * list versions, publish a new one (policy-admin or admin; 400 names each bad field) and
 * test whether a sample viewer may watch a sample session. The policy service validates,
 * stores, audits and announces it; the api enforces it, so the api answers the test too:
 * with the same policy source and the same scope matching (`decideViewing`,
 * @sessionrec/contracts) as every read of sessions and recordings.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  decideViewing,
  hostName,
  PERSON_ROLES,
  text,
  userName,
  validateViewingPolicy,
  type ViewingPolicyDocument,
} from '@sessionrec/contracts';
import { z } from 'zod';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { decode } from '../http/validate';
import { ViewingPolicySource } from '../viewing/viewing-policy.source';
import { InvalidPolicyError, requirePolicyAdmin } from './policy-http';
import { PolicyClient } from './policy.client';
import { StoredPolicyRoutes } from './stored-policy.routes';

const names = z.array(text(256)).max(256);

const testBody = z.strictObject({
  /** The person who would watch: by role, user name and groups, as a signed-in person. */
  viewer: z.strictObject({
    user: userName.optional(),
    roles: z.array(z.enum(PERSON_ROLES)).max(PERSON_ROLES.length).default([]),
    groups: names.default([]),
  }),
  /** The session watched: as the catalogue knows it. */
  session: z.strictObject({
    user: userName,
    groups: names.default([]),
    host: hostName,
    applications: names.optional(),
  }),
  /** An unsaved draft to test instead of the active policy. */
  document: z.unknown().optional(),
});

/** An OpenAPI schema object, as @nestjs/swagger's decorators take it (not exported by name). */
type SchemaObject = NonNullable<
  Extract<Parameters<typeof ApiBody>[0], { schema?: unknown }>['schema']
>;

/** The answer: may the viewer watch, by which rule, under which version (null: the draft). */
const TEST_ANSWER: SchemaObject = {
  type: 'object',
  required: ['allowed', 'policyVersion', 'explanation'],
  properties: {
    allowed: { type: 'boolean' },
    ruleId: { type: 'string', description: 'the first rule that names the viewer and covers it' },
    policyVersion: { type: 'integer', nullable: true, description: '0: built-in; null: draft' },
    explanation: { type: 'string' },
  },
};

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/viewing')
export class ViewingPolicyController extends StoredPolicyRoutes({
  get: 'policy.viewing.get',
  put: 'policy.viewing.put',
  versions: 'policy.viewing.list-versions',
  label: 'the viewing policy',
  whenNone: 'no viewing policy yet (the built-in viewing policy applies)',
}) {
  constructor(
    policies: PolicyClient,
    private readonly source: ViewingPolicySource,
  ) {
    super(policies);
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'May this viewer watch recordings of this sample session, by which rule (active policy or draft; policy-admin or admin)',
  })
  @ApiBody({
    schema: z.toJSONSchema(testBody, { io: 'input', target: 'openapi-3.0' }) as SchemaObject,
  })
  @ApiOkResponse({ schema: TEST_ANSWER })
  async test(@CurrentUser() user: Principal, @Body() body: unknown) {
    requirePolicyAdmin(user, 'testing viewing policies');
    const { viewer, session, document } = decode(testBody, body, 'body');
    let policy: ViewingPolicyDocument;
    let policyVersion: number | null;
    if (document === undefined) {
      const active = await this.source.fresh();
      policy = active.document;
      policyVersion = active.version;
    } else {
      const valid = validateViewingPolicy(document);
      if (!valid.ok) throw new InvalidPolicyError(valid.errors);
      policy = valid.document;
      policyVersion = null;
    }
    const decision = decideViewing(
      policy,
      { roles: viewer.roles, groups: viewer.groups, username: viewer.user },
      session,
      policyVersion === 0,
    );
    return { ...decision, policyVersion };
  }
}
