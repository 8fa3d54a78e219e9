/** Search and session detail, answered by the indexer. */
import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { ViewingModule } from '../viewing/viewing.module';
import { SessionsController } from './sessions.controller';

@Module({ imports: [CatalogModule, ViewingModule], controllers: [SessionsController] })
export class SessionsModule {}
