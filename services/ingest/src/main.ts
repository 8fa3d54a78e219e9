import { runService } from '@sessionrec/runtime';
import { IngestModule } from './ingest.module';

void runService({
  name: 'ingest',
  module: IngestModule,
  database: 'ingest',
  storage: true,
  // Segments, events and metrics: thousands of successes a second at scale; failures and
  // enrolment stay at info and above.
  quietRoutes: ['agent/v1/sessions/*rest', 'agent/v1/recordings/*rest'],
});
