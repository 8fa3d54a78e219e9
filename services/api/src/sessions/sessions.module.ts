/** Search and session detail, answered by the indexer. */
import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { SessionsController } from './sessions.controller';

@Module({ imports: [CatalogModule], controllers: [SessionsController] })
export class SessionsModule {}
