/** Actions on running sessions (lock, disconnect, log off, message) over the control channel. */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ViewingModule } from '../viewing/viewing.module';
import { CommandResultsModule } from './command-results.module';
import { SessionCommands } from './session-commands';
import { SessionActionsController } from './session-actions.controller';

@Module({
  imports: [CatalogModule, AuditModule, ViewingModule, CommandResultsModule],
  controllers: [SessionActionsController],
  providers: [SessionCommands],
})
export class SessionActionsModule {}
