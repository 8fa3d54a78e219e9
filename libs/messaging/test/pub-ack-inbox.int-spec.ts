import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connectTestNats, uniqueTestName } from '@sessionrec/testing';
import { MessagingUnavailableError, PublishRejectedError } from '../src';
import { PubAckInbox, readAnswer } from '../src/pub-ack-inbox';

jest.setTimeout(30_000);

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/**
 * The inbox against a real NATS server, with a plain subscriber standing in for
 * JetStream: it answers (or does not) exactly as the test needs.
 */
describe('PubAckInbox', () => {
  const subject = `${uniqueTestName('pub-ack')}.x`;
  let nc: NatsConnection;

  beforeEach(async () => {
    nc = await connectTestNats('pub-ack-inbox-test');
  });

  afterEach(async () => {
    if (!nc.isClosed()) await nc.close();
  });

  /** Answers every publish on `subject` with what `answer` returns (nothing for undefined). */
  function responder(answer: (data: unknown, seen: number) => unknown): void {
    let seen = 0;
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        seen += 1;
        const reply = answer(msg.json(), seen);
        if (reply !== undefined) msg.respond(encode(reply));
      },
    });
  }

  it('resolves each publish with the acknowledgement sent to its own reply subject', async () => {
    responder((data) => ({ stream: 'S', seq: (data as { n: number }).n, duplicate: false }));
    await nc.flush();
    const inbox = new PubAckInbox(nc, 5_000);
    const acks = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => inbox.publish(subject, encode({ n }), headers())),
    );
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(inbox.pending).toBe(0);
  });

  it('times out the waiters nobody answers, oldest first, and ignores a late answer', async () => {
    // Answers only the second publish, and only after the first has timed out.
    const late: { respond: () => void }[] = [];
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        const { n } = msg.json<{ n: number }>();
        if (n === 3) late.push({ respond: () => msg.respond(encode({ stream: 'S', seq: 3 })) });
        if (n === 2) msg.respond(encode({ stream: 'S', seq: 2, duplicate: true }));
      },
    });
    await nc.flush();
    const inbox = new PubAckInbox(nc, 300);
    const outcomes = await Promise.allSettled(
      [1, 2, 3].map((n) => inbox.publish(subject, encode({ n }), headers())),
    );
    expect(outcomes[0]).toMatchObject({ status: 'rejected' });
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(MessagingUnavailableError);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain('within 300 ms');
    expect(outcomes[1]).toEqual({
      status: 'fulfilled',
      value: { stream: 'S', seq: 2, duplicate: true },
    });
    expect(outcomes[2]).toMatchObject({ status: 'rejected' });
    expect(inbox.pending).toBe(0);
    // The answer to the timed-out publish arrives now: nothing waits for it any more.
    for (const l of late) l.respond();
    await nc.flush();
    const next = inbox.publish(subject, encode({ n: 2 }), headers());
    await expect(next).resolves.toMatchObject({ seq: 2 });
  });

  it('rejects with PublishRejectedError when JetStream refuses, and unavailable on its 503', async () => {
    responder((data) =>
      (data as { n: number }).n === 1
        ? { error: { code: 400, err_code: 10060, description: 'expected stream does not match' } }
        : { error: { code: 503, err_code: 10077, description: 'resource limits exceeded' } },
    );
    await nc.flush();
    const inbox = new PubAckInbox(nc, 5_000);
    const refused = await inbox
      .publish(subject, encode({ n: 1 }), headers())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PublishRejectedError);
    expect(String(refused)).toContain('expected stream does not match');
    const busy = await inbox.publish(subject, encode({ n: 2 }), headers()).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(MessagingUnavailableError);
  });

  it('answers MessagingUnavailableError when nothing listens on the subject', async () => {
    const inbox = new PubAckInbox(nc, 5_000);
    const err = await inbox
      .publish(`${subject}.nobody`, encode({}), headers())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingUnavailableError);
    expect(String(err)).toContain('no stream takes the subject');
  });

  it('fails every waiter when the connection closes, and later publishes at once', async () => {
    responder(() => undefined);
    await nc.flush();
    const inbox = new PubAckInbox(nc, 60_000);
    const waiting = inbox.publish(subject, encode({ n: 1 }), headers()).catch((e: unknown) => e);
    await nc.flush();
    await nc.close();
    expect(await waiting).toBeInstanceOf(MessagingUnavailableError);
    await expect(inbox.publish(subject, encode({ n: 2 }), headers())).rejects.toBeInstanceOf(
      MessagingUnavailableError,
    );
    expect(inbox.pending).toBe(0);
  });
});

describe('readAnswer', () => {
  it('reads malformed answers as transient errors, never as acknowledgements', () => {
    const answers = [
      'not json',
      '42',
      '{"stream":"","seq":1}',
      '{"stream":"S"}',
      '{"stream":"S","seq":"1"}',
    ];
    for (const text of answers) {
      expect(
        readAnswer({ data: new TextEncoder().encode(text), headers: undefined }),
      ).toBeInstanceOf(MessagingUnavailableError);
    }
    expect(readAnswer({ data: encode({ stream: 'S', seq: 9 }), headers: undefined })).toEqual({
      stream: 'S',
      seq: 9,
      duplicate: false,
    });
  });
});
