/**
 * Segment uploads arrive as raw bytes (application/octet-stream). Fastify gets a parser
 * that hands the handler a Buffer and stops reading at MAX_SEGMENT_BYTES (413), checked
 * against Content-Length before any byte is read when the agent sends one.
 */
import { agentProtocol } from '@sessionrec/contracts';
import type { FastifyInstance } from 'fastify';

export const SEGMENT_CONTENT_TYPE = 'application/octet-stream';

export function registerSegmentBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(SEGMENT_CONTENT_TYPE)) return;
  fastify.addContentTypeParser(
    SEGMENT_CONTENT_TYPE,
    { parseAs: 'buffer', bodyLimit: agentProtocol.MAX_SEGMENT_BYTES },
    (_request, body, done) => done(null, body),
  );
}
