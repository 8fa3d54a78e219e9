/**
 * "May this person read this recording?" for the share routes: asked of the catalogue
 * with the person's viewing scope, so a recording outside it is 404, exactly as the
 * playback routes answer. A share link itself needs no scope: it authorises its clip.
 */
import { Injectable } from '@nestjs/common';
import type { CatalogRecordingDetail } from '@sessionrec/contracts';
import type { Principal } from '../auth/roles';
import { RecordingCatalog } from '../recordings/recording-catalog';
import { ViewingAccess } from '../viewing/viewing-access';

@Injectable()
export class RecordingReadAccess {
  constructor(
    private readonly recordings: RecordingCatalog,
    private readonly viewing: ViewingAccess,
  ) {}

  async mayRead(principal: Principal, recordingId: string): Promise<CatalogRecordingDetail> {
    const access = await this.viewing.scopeFields(principal);
    return this.recordings.page({ v: 1, ...access, recordingId, limit: 1 });
  }
}
