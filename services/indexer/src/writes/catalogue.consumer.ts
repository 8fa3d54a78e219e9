/**
 * The indexer's durable consumers: one per message type, each acked only after its row is
 * durable in the catalogue (batched types resolve when their batch commits). Handlers of
 * the high-volume types keep many messages in flight so a batch can fill.
 */
import { Controller } from '@nestjs/common';
import type { MessageOf } from '@sessionrec/contracts';
import { OnMessage, OnMessages } from '@sessionrec/messaging';
import { TerminalTextIndexer } from '../terminal/terminal-text.indexer';
import { EventWriter } from './event.writer';
import { LifecycleWriter } from './lifecycle.writer';
import { MetricWriter } from './metric.writer';
import { SegmentWriter } from './segment.writer';

/**
 * Batch writers take the messages of one pull turn in one call (one span, one handler
 * call; the Batcher still cuts writes at INDEXER_BATCH_ROWS). Several batches in flight:
 * one fills while the previous ones are being written.
 */
const BATCHED = { maxInFlight: 8192, maxBatch: 1000 };
/**
 * Terminal text has its own consumer of segment.stored: reading objects never holds up the
 * catalogue rows, and a segment that cannot be read is dead-lettered on its own.
 */
const TERMINAL_TEXT = { durable: 'indexer-terminal-text', maxInFlight: 16 };

@Controller()
export class CatalogueConsumer {
  constructor(
    private readonly lifecycle: LifecycleWriter,
    private readonly segments: SegmentWriter,
    private readonly events: EventWriter,
    private readonly metrics: MetricWriter,
    private readonly terminalText: TerminalTextIndexer,
  ) {}

  @OnMessage('session.started')
  sessionStarted(p: MessageOf<'session.started'>): Promise<void> {
    return this.lifecycle.sessionStarted(p);
  }

  @OnMessage('session.ended')
  sessionEnded(p: MessageOf<'session.ended'>): Promise<void> {
    return this.lifecycle.sessionEnded(p);
  }

  @OnMessage('recording.started')
  recordingStarted(p: MessageOf<'recording.started'>): Promise<void> {
    return this.lifecycle.recordingStarted(p);
  }

  @OnMessage('recording.stopped')
  recordingStopped(p: MessageOf<'recording.stopped'>): Promise<void> {
    return this.lifecycle.recordingStopped(p);
  }

  @OnMessages('segment.stored', BATCHED)
  segmentStored(p: MessageOf<'segment.stored'>[]): Promise<void> {
    return this.segments.addAll(p);
  }

  @OnMessage('segment.stored', TERMINAL_TEXT)
  segmentText(p: MessageOf<'segment.stored'>): Promise<void> {
    return this.terminalText.index(p);
  }

  @OnMessage('segment.gap')
  segmentGap(p: MessageOf<'segment.gap'>): Promise<void> {
    return this.segments.addGap(p);
  }

  @OnMessages('event', BATCHED)
  event(p: MessageOf<'event'>[]): Promise<void> {
    return this.events.addAll(p);
  }

  @OnMessages('metric.network', BATCHED)
  metric(p: MessageOf<'metric.network'>[]): Promise<void> {
    return this.metrics.addAll(p);
  }
}
