export {
  HOT_LANE,
  type HotLane,
  runService,
  SERVICE_ENV,
  type RunningService,
  type ServiceSpec,
} from './bootstrap';
export { loadRuntimeConfig, type RuntimeConfig } from './runtime-config';
export { OBJECT_STORE, objectStoreFromConfig, StorageModule } from './storage.module';
export { isTransientInfrastructureError } from './transient-errors';
