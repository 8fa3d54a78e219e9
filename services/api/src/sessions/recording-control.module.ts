/** Dynamic recording of running sessions: commands to agents over the control channel. */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ViewingModule } from '../viewing/viewing.module';
import { CommandResultsModule } from './command-results.module';
import { SessionCommands } from './session-commands';
import { RecordingControlController } from './recording-control.controller';

@Module({
  imports: [CatalogModule, AuditModule, ViewingModule, CommandResultsModule],
  controllers: [RecordingControlController],
  providers: [SessionCommands],
})
export class RecordingControlModule {}
