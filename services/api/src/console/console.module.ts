/**
 * The web console, served by the api (no separate server): index.html for the client
 * routes, and the hashed bundle files under /assets/ through @fastify/static, cached for a
 * year because their names change with their content.
 */
import { existsSync } from 'node:fs';
import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ConsoleController } from './console.controller';
import { CONSOLE_FILES } from './console.tokens';
import { type ConsoleFiles, loadConsoleFiles } from './console-files';

@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(CONSOLE_FILES) private readonly files: ConsoleFiles,
  ) {}

  /** `dist` defaults to services/console/dist. */
  static forRoot(dist?: string): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_FILES, useValue: loadConsoleFiles(dist) }],
    };
  }

  async onModuleInit(): Promise<void> {
    if (!this.files.indexHtml || !existsSync(this.files.assets)) {
      this.logger.warn(`the console is not built (${this.files.dist}); run npm run build`);
      return;
    }
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(fastifyStatic, {
      root: this.files.assets,
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      immutable: true,
      maxAge: '365d',
    });
  }
}
