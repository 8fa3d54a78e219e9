/** Agent management for the api (`agents.*` request/reply). */
import { Module } from '@nestjs/common';
import { AgentsRpcController } from './agents-rpc.controller';

@Module({ controllers: [AgentsRpcController] })
export class AgentsModule {}
