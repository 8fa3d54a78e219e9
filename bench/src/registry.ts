/** Every benchmark `npm run bench` runs, in order. Later issues append their modules here. */
import { type Benchmark } from './benchmark';
import { jetstreamPublish } from './benchmarks/jetstream-publish';
import { ingest } from './benchmarks/ingest';
import { indexer } from './benchmarks/indexer';
import { objectStorePut } from './benchmarks/object-store-put';
import { policyEvaluate } from './benchmarks/policy-evaluate';
import { responses } from './benchmarks/responses';
import { terminalAgent } from './benchmarks/terminal-agent';
import { desktopCapture } from './benchmarks/desktop-capture';
import { consoleBench } from './benchmarks/console';

export const BENCHMARKS: readonly Benchmark[] = [
  jetstreamPublish,
  objectStorePut,
  ingest,
  indexer,
  responses,
  policyEvaluate,
  terminalAgent,
  desktopCapture,
  consoleBench,
];
