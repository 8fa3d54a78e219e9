/**
 * Events and network samples arrive in batches and leave as one message each, published
 * in parallel; the answer waits for every PubAck. A batch sent again is harmless: each
 * message's id (eventId, sampleId) lets JetStream drop the copy.
 */
import { Injectable } from '@nestjs/common';
import type { agentProtocol } from '@sessionrec/contracts';
import { Messaging } from '@sessionrec/messaging';
import type { z } from 'zod';
import { ownSession } from './ownership';
import { RecordsRepository } from './records.repository';
import { timed } from './stage-timing';

type EventBatch = agentProtocol.EventBatchRequest;
type MetricBatch = z.output<typeof agentProtocol.metricBatchRequest>;

@Injectable()
export class BatchService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly messaging: Messaging,
  ) {}

  async publishEvents(agentId: string, sessionId: string, batch: EventBatch): Promise<number> {
    ownSession(await this.records.sessionIdentity(sessionId), agentId, sessionId);
    await timed('batch.publish', () =>
      settleAll(
        batch.events.map((event) =>
          this.messaging.publish('event', {
            v: 1,
            eventId: event.eventId,
            sessionId,
            agentId,
            ...(event.recordingId ? { recordingId: event.recordingId } : {}),
            type: event.type,
            at: event.at,
            offsetMs: event.offsetMs,
            attributes: event.attributes,
          }),
        ),
      ),
    );
    return batch.events.length;
  }

  async publishMetrics(agentId: string, sessionId: string, batch: MetricBatch): Promise<number> {
    ownSession(await this.records.sessionIdentity(sessionId), agentId, sessionId);
    await timed('batch.publish', () =>
      settleAll(
        batch.samples.map((sample) =>
          this.messaging.publish('metric.network', { v: 1, sessionId, agentId, ...sample }),
        ),
      ),
    );
    return batch.samples.length;
  }
}

/** Waits for every publish (none is left running unobserved), then throws the first failure. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
