/** Playback and export of recordings. */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ViewingModule } from '../viewing/viewing.module';
import { ClipExporter } from './clip-exporter';
import { ObjectStreamer } from './object-streamer';
import { RecordingCatalog } from './recording-catalog';
import { RecordingsController } from './recordings.controller';
import { ViewAudit } from './view-audit';

@Module({
  imports: [CatalogModule, AuditModule, ViewingModule],
  controllers: [RecordingsController],
  providers: [RecordingCatalog, ObjectStreamer, ClipExporter, ViewAudit],
})
export class RecordingsModule {}
