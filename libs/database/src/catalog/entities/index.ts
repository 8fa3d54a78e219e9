/** The entities (tables) of the catalog schema, built by the indexer. */
import { SchemaInfo } from '../../shared/schema-info.entity';
import { CatalogEvent, CatalogNetworkSample, CatalogSessionApp } from './event.entity';
import { CatalogRecording, CatalogSegment, CatalogSegmentGap } from './recording.entity';
import { CatalogAgent, CatalogAgentHost, CatalogSession } from './session.entity';

export {
  CatalogAgent,
  CatalogAgentHost,
  CatalogEvent,
  CatalogNetworkSample,
  CatalogRecording,
  CatalogSegment,
  CatalogSegmentGap,
  CatalogSession,
  CatalogSessionApp,
};

export const CATALOG_ENTITIES = [
  SchemaInfo,
  CatalogAgent,
  CatalogAgentHost,
  CatalogSession,
  CatalogRecording,
  CatalogSegment,
  CatalogSegmentGap,
  CatalogEvent,
  CatalogSessionApp,
  CatalogNetworkSample,
];
