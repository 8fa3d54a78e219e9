/**
 * Search and session detail: `GET /api/v1/sessions`, `/sessions/{id}`,
 * `/sessions/{id}/events` (the player's timeline track) and `/sessions/{id}/metrics`.
 * Each is one catalogue question to the indexer, answered as JSON without the envelope,
 * carrying the person's viewing scope: sessions they may not view are not found.
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/roles';
import { CatalogClient } from '../catalog/catalog.client';
import { NotFoundError } from '../http/api-errors';
import { decode, uuidParam } from '../http/validate';
import { ViewingAccess } from '../viewing/viewing-access';
import { eventsRequest, metricsRequest, searchRequest } from './session-queries';

const offsetQueries = [
  { name: 'from', required: false, description: 'session-relative milliseconds' },
  { name: 'to', required: false, description: 'session-relative milliseconds' },
  { name: 'cursor', required: false, description: 'nextCursor of the previous page' },
  { name: 'limit', required: false },
];

function ApiQueries(queries: { name: string; required: boolean; description?: string }[]) {
  const decorators = queries.map((q) => ApiQuery({ ...q, type: String }));
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
  };
}

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly viewing: ViewingAccess,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Search sessions by user, group, host, client, application, event, text and time',
  })
  @ApiQueries([
    { name: 'user', required: false },
    { name: 'group', required: false },
    { name: 'host', required: false },
    { name: 'client', required: false, description: 'IP address or CIDR range' },
    { name: 'app', required: false },
    { name: 'event', required: false, description: 'event type, e.g. usb.insert' },
    { name: 'q', required: false, description: 'free text' },
    { name: 'from', required: false, description: 'ISO-8601 time' },
    { name: 'to', required: false, description: 'ISO-8601 time' },
    {
      name: 'open',
      required: false,
      description: 'true: only sessions in progress (not ended); false: only ended ones',
    },
    { name: 'cursor', required: false },
    { name: 'limit', required: false, description: '1-100, default 25' },
  ])
  async search(@Query() query: unknown, @CurrentUser() principal: Principal) {
    const reply = await this.catalog.ask('catalog.search', {
      ...searchRequest(query),
      ...(await this.viewing.scopeFields(principal)),
    });
    return {
      sessions: reply.sessions,
      facets: reply.facets,
      // Present (true) when the facets count only this page: the whole set took too long.
      ...(reply.facetsPartial ? { facetsPartial: true } : {}),
      nextCursor: reply.nextCursor ?? null,
    };
  }

  @Get(':sessionId')
  @ApiOperation({ summary: 'One session with its recordings and counts' })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  async session(@Param('sessionId') sessionId: string, @CurrentUser() principal: Principal) {
    const id = decode(uuidParam, sessionId, 'params');
    const reply = await this.catalog.ask('catalog.session', {
      v: 1,
      sessionId: id,
      ...(await this.viewing.scopeFields(principal)),
    });
    if (!reply.session) throw new NotFoundError(`session ${id} is not in the catalogue`);
    return reply.session;
  }

  @Get(':sessionId/events')
  @ApiOperation({ summary: "A page of a session's events, ordered by offsetMs" })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiQueries([
    ...offsetQueries,
    { name: 'types', required: false, description: 'comma-separated event types' },
  ])
  async events(
    @Param('sessionId') sessionId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
  ) {
    const id = decode(uuidParam, sessionId, 'params');
    const reply = await this.catalog.ask('catalog.events', {
      ...eventsRequest(id, query),
      ...(await this.viewing.scopeFields(principal)),
    });
    return { events: reply.events, nextCursor: reply.nextCursor ?? null };
  }

  @Get(':sessionId/metrics')
  @ApiOperation({ summary: "A page of a session's network-quality samples" })
  @ApiParam({ name: 'sessionId', format: 'uuid' })
  @ApiQueries(offsetQueries)
  async metrics(
    @Param('sessionId') sessionId: string,
    @Query() query: unknown,
    @CurrentUser() principal: Principal,
  ) {
    const id = decode(uuidParam, sessionId, 'params');
    const reply = await this.catalog.ask('catalog.metrics', {
      ...metricsRequest(id, query),
      ...(await this.viewing.scopeFields(principal)),
    });
    return { samples: reply.samples, nextCursor: reply.nextCursor ?? null };
  }
}
