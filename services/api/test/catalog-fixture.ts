/**
 * A stand-in for the indexer in api tests: answers the real `catalog.*` requests over the
 * real NATS transport (a separate service booted with runService and @OnRequest), from
 * data the test puts in. It records every request so a test can check what the api asked.
 * It also answers `policy.viewing.get` for the policy service (no viewing policy unless a
 * test sets one), since every read of a recording checks the viewing policy.
 */
import { Controller, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type {
  CatalogRecordingDetail,
  CatalogSearchReply,
  CatalogSessionDetail,
  CatalogEvent,
  CatalogMetricSample,
  ReplyOf,
  RequestOf,
  RequestType,
} from '@sessionrec/contracts';
import {
  JetStreamServer,
  MessagingConnection,
  MessagingModule,
  OnRequest,
} from '@sessionrec/messaging';

export class FixtureCatalog {
  readonly requests: { type: RequestType; request: unknown }[] = [];
  searchReply: Omit<CatalogSearchReply, 'v'> = {
    sessions: [],
    facets: { users: [], hosts: [], apps: [], eventTypes: [] },
  };
  readonly sessions = new Map<string, CatalogSessionDetail>();
  readonly events = new Map<string, CatalogEvent[]>();
  readonly metrics = new Map<string, CatalogMetricSample[]>();
  readonly recordings = new Map<string, CatalogRecordingDetail>();
  /** The viewing policy `policy.viewing.get` answers (null: none published yet). */
  viewingPolicy: { version: number; document: unknown } | null = null;
  /** While true, `policy.viewing.get` fails (the policy service is "down"). */
  viewingUnavailable = false;
  private held: (() => void)[] = [];
  private isSilent = false;

  /** While silent, requests are left unanswered (the indexer is "down"). */
  get silent(): boolean {
    return this.isSilent;
  }

  set silent(value: boolean) {
    this.isSilent = value;
    if (!value) for (const release of this.held.splice(0)) release();
  }

  /** Resolves at once, or when the fixture stops being silent. */
  answerable(): Promise<void> {
    if (!this.isSilent) return Promise.resolve();
    return new Promise((resolve) => this.held.push(resolve));
  }

  lastRequest<T extends RequestType>(type: T): RequestOf<T> | undefined {
    const found = [...this.requests].reverse().find((r) => r.type === type);
    return found?.request as RequestOf<T> | undefined;
  }

  recording(request: RequestOf<'catalog.recording'>): ReplyOf<'catalog.recording'> {
    const stored = this.recordings.get(request.recordingId);
    if (!stored) return { v: 1, recording: null };
    const matching = stored.segments
      .filter((s) => request.fromMs === undefined || s.endMs >= request.fromMs)
      .filter((s) => request.toMs === undefined || s.startMs <= request.toMs)
      .filter((s) => request.afterSeq === undefined || s.seq > request.afterSeq)
      .sort((a, b) => a.seq - b.seq);
    const page = matching.slice(0, request.limit);
    const more = matching.length > page.length;
    const last = page[page.length - 1];
    return {
      v: 1,
      recording: {
        ...stored,
        segments: page,
        ...(more && last ? { nextAfterSeq: last.seq } : { nextAfterSeq: undefined }),
      },
    };
  }
}

/**
 * Boots the responder as a bare Nest application (no HTTP listener): one process can run
 * only one runService at a time, and the api is that one.
 */
export async function startCatalogFixture(
  catalog: FixtureCatalog,
  nats: { url: string; namespace: string },
  /** Also answer `policy.viewing.get` (off when the test runs its own policy stand-in). */
  viewingPolicy = true,
): Promise<INestApplication> {
  @Controller()
  class ViewingPolicyHandler {
    @OnRequest('policy.viewing.get')
    viewing(): Promise<ReplyOf<'policy.viewing.get'>> {
      if (catalog.viewingUnavailable) throw new Error('the policy service is down');
      const policy = catalog.viewingPolicy;
      return Promise.resolve({
        v: 1,
        active: policy
          ? {
              info: {
                version: policy.version,
                createdBy: 'test',
                createdAt: new Date().toISOString(),
              },
              document: policy.document as Record<string, unknown>,
            }
          : null,
      });
    }
  }

  @Controller()
  class CatalogHandlers {
    private seen<T extends RequestType>(type: T, request: RequestOf<T>): Promise<void> {
      catalog.requests.push({ type, request });
      return catalog.answerable();
    }

    @OnRequest('catalog.search')
    async search(request: RequestOf<'catalog.search'>): Promise<ReplyOf<'catalog.search'>> {
      await this.seen('catalog.search', request);
      return { v: 1, ...catalog.searchReply };
    }

    @OnRequest('catalog.session')
    async session(request: RequestOf<'catalog.session'>): Promise<ReplyOf<'catalog.session'>> {
      await this.seen('catalog.session', request);
      return { v: 1, session: catalog.sessions.get(request.sessionId) ?? null };
    }

    @OnRequest('catalog.events')
    async events(request: RequestOf<'catalog.events'>): Promise<ReplyOf<'catalog.events'>> {
      await this.seen('catalog.events', request);
      return { v: 1, events: catalog.events.get(request.sessionId) ?? [] };
    }

    @OnRequest('catalog.metrics')
    async metrics(request: RequestOf<'catalog.metrics'>): Promise<ReplyOf<'catalog.metrics'>> {
      await this.seen('catalog.metrics', request);
      return { v: 1, samples: catalog.metrics.get(request.sessionId) ?? [] };
    }

    @OnRequest('catalog.recording')
    async recording(
      request: RequestOf<'catalog.recording'>,
    ): Promise<ReplyOf<'catalog.recording'>> {
      await this.seen('catalog.recording', request);
      return catalog.recording(request);
    }
  }

  @Module({
    imports: [MessagingModule.forRoot({ ...nats, serviceName: 'indexer' })],
    controllers: viewingPolicy ? [CatalogHandlers, ViewingPolicyHandler] : [CatalogHandlers],
  })
  class CatalogFixtureModule {}

  const app = await NestFactory.create(CatalogFixtureModule, new FastifyAdapter(), {
    logger: false,
  });
  app.connectMicroservice(
    { strategy: new JetStreamServer(app.get(MessagingConnection)) },
    { inheritAppConfig: true },
  );
  await app.init();
  await app.startAllMicroservices();
  return app;
}
