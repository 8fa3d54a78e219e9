/** One CommandResults per api process, shared by session actions and dynamic recording. */
import { Module } from '@nestjs/common';
import { CommandResults } from './command-results';

@Module({ providers: [CommandResults], exports: [CommandResults] })
export class CommandResultsModule {}
