/** Building blocks shared by every schema: bounded strings, ids and times. */
import { z } from 'zod';

export const id = z.uuid();
/** Bounded, printable text: every string that crosses a boundary has a maximum length. */
export const text = (max: number) => z.string().min(1).max(max);
export const isoTime = z.iso.datetime({ offset: true });
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
export const userName = text(256);
export const hostName = text(255);
export const agentId = id;
/** IPv4 or IPv6 address of the user's client, as the agent saw it. */
export const ipAddress = z.union([z.ipv4(), z.ipv6()]);
export const attributes = z.record(
  z.string().max(64),
  z.union([z.string().max(8192), z.number(), z.boolean(), z.null()]),
);

export const sessionProtocol = z.enum(['desktop', 'terminal']);
export type SessionProtocol = z.infer<typeof sessionProtocol>;

/** Why a recording started or stopped. */
export const recordingReason = z.enum(['policy', 'event', 'admin', 'session-end', 'error']);
export type RecordingReason = z.infer<typeof recordingReason>;
