/**
 * How ingest is started, by main.ts and by the tests alike: the hot agent routes have a
 * Fastify instance of their own, apart from Nest (see agent-api/hot-routes.ts).
 */
import type { ServiceSpec } from '@sessionrec/runtime';
import { isHotRequest } from './agent-api/hot-routes';
import { IngestModule } from './ingest.module';

export const INGEST_SERVICE: ServiceSpec = {
  name: 'ingest',
  module: IngestModule,
  database: 'ingest',
  storage: true,
  // Segments, events, metrics and policy questions (one per focus change): thousands of
  // successes a second at scale; failures, session starts and enrolment stay at info.
  // The hot routes among them, on the hot lane, log through the same quiet logger.
  quietRoutes: [
    'agent/v1/sessions/*rest',
    'agent/v1/recordings/*rest',
    'agent/v1/policy/*rest',
    'agent/v1/batches',
  ],
  hotLane: { matches: isHotRequest },
};
