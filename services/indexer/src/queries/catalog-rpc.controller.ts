/**
 * The catalogue's request/reply API (`catalog.*` in libs/contracts): the api service's
 * only way to read the catalogue. Requests arrive validated; replies are validated by the
 * responder before they leave.
 */
import { Controller } from '@nestjs/common';
import type { ReplyOf, RequestOf } from '@sessionrec/contracts';
import { OnRequest } from '@sessionrec/messaging';
import { SearchQuery } from './search.query';
import { TimelineQuery } from './timeline.query';

@Controller()
export class CatalogRpcController {
  constructor(
    private readonly searchQuery: SearchQuery,
    private readonly timeline: TimelineQuery,
  ) {}

  @OnRequest('catalog.search')
  search(r: RequestOf<'catalog.search'>): Promise<ReplyOf<'catalog.search'>> {
    return this.searchQuery.search(r);
  }

  @OnRequest('catalog.session')
  session(r: RequestOf<'catalog.session'>): Promise<ReplyOf<'catalog.session'>> {
    return this.timeline.session(r);
  }

  @OnRequest('catalog.events')
  events(r: RequestOf<'catalog.events'>): Promise<ReplyOf<'catalog.events'>> {
    return this.timeline.events(r);
  }

  @OnRequest('catalog.recording')
  recording(r: RequestOf<'catalog.recording'>): Promise<ReplyOf<'catalog.recording'>> {
    return this.timeline.recording(r);
  }

  @OnRequest('catalog.metrics')
  metrics(r: RequestOf<'catalog.metrics'>): Promise<ReplyOf<'catalog.metrics'>> {
    return this.timeline.metrics(r);
  }
}
