import { runService } from '@sessionrec/runtime';
import { INGEST_SERVICE } from './ingest-service';

void runService(INGEST_SERVICE);
