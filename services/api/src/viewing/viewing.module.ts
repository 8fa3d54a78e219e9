/** Viewing-policy enforcement for every read of sessions and recordings. */
import { Module } from '@nestjs/common';
import { ViewingAccess } from './viewing-access';
import { ViewingPolicySource } from './viewing-policy.source';

@Module({
  providers: [ViewingPolicySource, ViewingAccess],
  exports: [ViewingAccess, ViewingPolicySource],
})
export class ViewingModule {}
