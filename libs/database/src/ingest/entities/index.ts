/** The entities (tables) of the ingest schema; later issues add theirs here. */
import { SchemaInfo } from '../../shared/schema-info.entity';
import { Agent } from './agent.entity';
import { EnrolToken } from './enrol-token.entity';
import { IngestRecording } from './ingest-recording.entity';
import { IngestSegment, IngestSegmentGap } from './ingest-segment.entity';
import { IngestSession } from './ingest-session.entity';

export { Agent, EnrolToken, IngestRecording, IngestSegment, IngestSegmentGap, IngestSession };

export const INGEST_ENTITIES = [
  SchemaInfo,
  EnrolToken,
  Agent,
  IngestSession,
  IngestRecording,
  IngestSegment,
  IngestSegmentGap,
];
