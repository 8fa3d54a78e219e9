import { runService } from '@sessionrec/runtime';
import { ResponderModule } from './responder.module';

void runService({
  name: 'responder',
  module: ResponderModule,
  database: 'responder',
});
