import { runService } from '@sessionrec/runtime';
import { PolicyModule } from './policy.module';

void runService({
  name: 'policy',
  module: PolicyModule,
  database: 'policy',
});
