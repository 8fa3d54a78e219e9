/** Share links: made and revoked by signed-in people, opened by anyone holding one. */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ObjectStreamer } from '../recordings/object-streamer';
import { RecordingCatalog } from '../recordings/recording-catalog';
import { ViewingModule } from '../viewing/viewing.module';
import { RecordingReadAccess } from './recording-read-access';
import { SharedClipController } from './shared-clip.controller';
import { SharesController } from './shares.controller';
import { SharesRepository } from './shares.repository';

@Module({
  imports: [CatalogModule, AuditModule, ViewingModule],
  controllers: [SharesController, SharedClipController],
  providers: [SharesRepository, RecordingCatalog, ObjectStreamer, RecordingReadAccess],
})
export class SharesModule {}
