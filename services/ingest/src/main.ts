import { runService } from '@sessionrec/runtime';
import { IngestModule } from './ingest.module';

void runService({
  name: 'ingest',
  module: IngestModule,
  database: 'ingest',
  storage: true,
  // Segments, events, metrics and policy questions (one per focus change): thousands of
  // successes a second at scale; failures, session starts and enrolment stay at info.
  quietRoutes: [
    'agent/v1/sessions/*rest',
    'agent/v1/recordings/*rest',
    'agent/v1/policy/*rest',
    'agent/v1/batches',
  ],
});
