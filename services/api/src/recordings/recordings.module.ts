/** Playback and export of recordings. */
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CatalogModule } from '../catalog/catalog.module';
import { ClipExporter } from './clip-exporter';
import { ObjectStreamer } from './object-streamer';
import { RecordingCatalog } from './recording-catalog';
import { RecordingsController } from './recordings.controller';
import { ViewAudit } from './view-audit';

@Module({
  imports: [CatalogModule, AuditModule],
  controllers: [RecordingsController],
  providers: [RecordingCatalog, ObjectStreamer, ClipExporter, ViewAudit],
})
export class RecordingsModule {}
