import { runService } from '@sessionrec/runtime';
import { IndexerModule } from './indexer.module';

// No JIT compilation for the indexer's statements (unless PGOPTIONS says otherwise): its
// searches' plans look expensive to PostgreSQL, which then spent 20-30 ms compiling a
// statement that runs in tens of milliseconds ("restart": 81 -> 66 ms in process).
process.env.PGOPTIONS ??= '-c jit=off';

void runService({
  name: 'indexer',
  module: IndexerModule.forRoot(),
  database: 'catalog',
  storage: true,
});
