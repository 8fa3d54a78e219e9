/** The recording policy REST API, answered by the policy service over NATS. */
import { Module } from '@nestjs/common';
import { PoliciesController } from './policies.controller';
import { PolicyClient } from './policy.client';

@Module({ controllers: [PoliciesController], providers: [PolicyClient] })
export class PoliciesModule {}
