import { runService } from '@sessionrec/runtime';
import { RetentionModule } from './retention.module';

void runService({
  name: 'retention',
  module: RetentionModule,
  database: 'retention',
  storage: true,
});
