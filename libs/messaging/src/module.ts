/**
 * Nest wiring: one global module that holds the process's NATS connection and the
 * Messaging publisher, connects and converges the streams at start-up, and drains the
 * connection last on shutdown (after the JetStream server has finished its handlers).
 */
import {
  type DynamicModule,
  Global,
  type InjectionToken,
  Module,
  type OnModuleInit,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingConnection } from './connection';
import { type MessagingOptions, resolveOptions } from './options';
import { Messaging } from './publisher';

export interface MessagingModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
}

@Global()
@Module({})
export class MessagingModule implements OnModuleInit {
  constructor(
    private readonly connection: MessagingConnection,
    private readonly messaging: Messaging,
  ) {}

  static forRoot(options: MessagingOptions): DynamicModule {
    const resolved = resolveOptions(options);
    return MessagingModule.build([{ provide: MESSAGING_OPTIONS, useValue: resolved }]);
  }

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      ...MessagingModule.build([
        {
          provide: MESSAGING_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => resolveOptions(await options.useFactory(...args)),
        },
      ]),
      imports: options.imports ?? [],
    };
  }

  private static build(optionProviders: NonNullable<DynamicModule['providers']>): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [...optionProviders, MessagingConnection, Messaging],
      exports: [MESSAGING_OPTIONS, MessagingConnection, Messaging],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.connection.connect();
    if (this.connection.options.ensureStreamsOnStart) await this.messaging.ensureStreams();
  }
}
