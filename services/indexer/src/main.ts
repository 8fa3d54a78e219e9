import { runService } from '@sessionrec/runtime';
import { IndexerModule } from './indexer.module';

void runService({
  name: 'indexer',
  module: IndexerModule.forRoot(),
  database: 'catalog',
  storage: true,
});
