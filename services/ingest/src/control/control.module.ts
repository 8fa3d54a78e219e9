/**
 * The per-agent control channel: a WebSocket on which ingest delivers commands published
 * on `control.command` and turns the agent's answers into `command.result`.
 */
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CommandFeed } from './command-feed';
import { CommandTracker } from './command-tracker';
import { ControlGateway } from './control-gateway';
import { CONTROL_OPTIONS, DEFAULT_CONTROL_OPTIONS } from './control-options';

@Module({
  imports: [AuthModule],
  providers: [
    { provide: CONTROL_OPTIONS, useValue: DEFAULT_CONTROL_OPTIONS },
    CommandTracker,
    CommandFeed,
    ControlGateway,
  ],
  exports: [ControlGateway],
})
export class ControlModule {}
