import { runService } from '@sessionrec/runtime';
import { ApiModule } from './api.module';

void runService({
  name: 'api',
  module: ApiModule.forRoot(),
  database: 'api',
  storage: true,
});
