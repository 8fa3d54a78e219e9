/**
 * The one NATS connection of a process (named after the service), shared by the
 * publisher and the JetStream server, with the readiness check behind
 * `GET /health/ready`.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { errorMessage, MessagingUnavailableError } from './errors';
import { PubAckInbox } from './pub-ack-inbox';
import { type ResolvedMessagingOptions, redactUrl } from './options';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

const API_TIMEOUT_MS = 5_000;

export interface MessagingHealth {
  connected: boolean;
  jetstream: boolean;
  server?: string;
  error?: string;
}

interface Handles {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  acks: PubAckInbox;
}

@Injectable()
export class MessagingConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(MessagingConnection.name);
  private handles?: Promise<Handles>;
  private connected = false;
  private closing?: Promise<void>;

  constructor(@Inject(MESSAGING_OPTIONS) readonly options: ResolvedMessagingOptions) {}

  /** Connects once; later calls return the same connection. A failed attempt is retried. */
  connect(): Promise<Handles> {
    if (this.closing) return Promise.reject(new MessagingUnavailableError('connection closed'));
    if (!this.handles) {
      const attempt = this.open();
      this.handles = attempt;
      attempt.catch(() => {
        if (this.handles === attempt) this.handles = undefined;
      });
    }
    return this.handles;
  }

  async nc(): Promise<NatsConnection> {
    return (await this.connect()).nc;
  }

  async js(): Promise<JetStreamClient> {
    return (await this.connect()).js;
  }

  async jsm(): Promise<JetStreamManager> {
    return (await this.connect()).jsm;
  }

  /** JetStream publishes that wait for their PubAck (see PubAckInbox). */
  async acks(): Promise<PubAckInbox> {
    return (await this.connect()).acks;
  }

  /** Connected, and the JetStream API answers an account-info request. */
  async isReady(timeoutMs = 2_000): Promise<boolean> {
    return (await this.health(timeoutMs)).jetstream;
  }

  async health(timeoutMs = 2_000): Promise<MessagingHealth> {
    if (!this.handles) return { connected: false, jetstream: false, error: 'not connected' };
    let h: Handles;
    try {
      h = await this.handles;
    } catch (err) {
      return { connected: false, jetstream: false, error: errorMessage(err) };
    }
    const connected = this.connected && !h.nc.isClosed() && !h.nc.isDraining();
    if (!connected) return { connected, jetstream: false, error: 'disconnected' };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        h.jsm.getAccountInfo(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('JetStream did not answer')), timeoutMs);
        }),
      ]);
      return { connected, jetstream: true, server: h.nc.getServer() };
    } catch (err) {
      return { connected, jetstream: false, server: h.nc.getServer(), error: errorMessage(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drains the connection: pending publishes and subscriptions finish first. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async open(): Promise<Handles> {
    const o = this.options;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: [...o.servers],
        name: o.serviceName,
        user: o.user,
        pass: o.pass,
        token: o.token,
        maxReconnectAttempts: -1,
        // Async stack traces make every request (each ack confirmation, each JetStream
        // publish) allocate an Error up front: a large share of a busy consumer's CPU and
        // garbage. Errors still carry their message and code.
        noAsyncTraces: true,
      });
    } catch (err) {
      throw new MessagingUnavailableError(
        `cannot connect to NATS at ${o.servers.map(redactUrl).join(', ')}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    this.connected = true;
    void this.watchStatus(nc);
    const jsm = await jetstreamManager(nc, { timeout: API_TIMEOUT_MS });
    const js = jetstream(nc, { timeout: o.publishTimeoutMs });
    const acks = new PubAckInbox(nc, o.publishTimeoutMs);
    this.logger.log(`connected to NATS ${redactUrl(nc.getServer())} as ${o.serviceName}`);
    return { nc, js, jsm, acks };
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        this.connected = false;
        this.logger.warn('disconnected from NATS');
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.logger.log('reconnected to NATS');
      }
    }
  }

  private async drain(): Promise<void> {
    if (!this.handles) return;
    let nc: NatsConnection;
    try {
      ({ nc } = await this.handles);
    } catch {
      return;
    }
    if (nc.isClosed()) return;
    try {
      await nc.drain();
    } catch (err) {
      this.logger.warn(`drain failed, closing: ${errorMessage(err)}`);
      await nc.close();
    }
  }
}
