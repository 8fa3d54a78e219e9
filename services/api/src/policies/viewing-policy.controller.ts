/**
 * Viewing policies over REST (who may watch recordings of whom): read the active version,
 * list versions and publish a new one (policy-admin or admin; 400 names each bad field).
 * The policy service validates, stores, audits and announces it; the api enforces it.
 */
import { Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { StoredPolicyRoutes } from './stored-policy.routes';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('api/v1/policies/viewing')
export class ViewingPolicyController extends StoredPolicyRoutes({
  get: 'policy.viewing.get',
  put: 'policy.viewing.put',
  versions: 'policy.viewing.list-versions',
  label: 'the viewing policy',
  whenNone: 'no viewing policy yet (the built-in viewing policy applies)',
}) {}
