/** NATS header names the platform sets and reads. */
export const HEADERS = {
  /** JetStream de-duplication id. */
  messageId: 'Nats-Msg-Id',
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Message type and schema version, for consumers and the SIEM. */
  messageType: 'Sessionrec-Type',
  schemaVersion: 'Sessionrec-Schema-Version',
  /** Set on dead-lettered messages. */
  dlqReason: 'Sessionrec-Dlq-Reason',
  dlqSubject: 'Sessionrec-Dlq-Subject',
  dlqStream: 'Sessionrec-Dlq-Stream',
  dlqConsumer: 'Sessionrec-Dlq-Consumer',
  dlqDeliveries: 'Sessionrec-Dlq-Deliveries',
  dlqStreamSeq: 'Sessionrec-Dlq-Stream-Seq',
} as const;
