import { runService } from '@sessionrec/runtime';
import { IngestModule } from './ingest.module';

void runService({
  name: 'ingest',
  module: IngestModule,
  database: 'ingest',
  storage: true,
});
