/**
 * Builds the OpenAPI document from the controllers' decorators. runService (libs/runtime)
 * creates and starts the Nest application, so there is no point at which
 * `SwaggerModule.setup(app)` could run; instead the document is built on first request
 * from the same pieces SwaggerModule reads off an application (its module container,
 * its config and its HTTP adapter), all of which Nest lets a provider inject.
 */
import { Injectable } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PLATFORM_VERSION } from '@sessionrec/database';

@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | undefined;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly config: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get(): OpenAPIObject {
    this.document ??= this.build();
    return this.document;
  }

  private build(): OpenAPIObject {
    const appView = {
      container: {
        getModules: () => this.modules,
        isGlobalModule: () => false,
      },
      config: this.config,
      getHttpAdapter: () => this.adapterHost.httpAdapter,
    } as unknown as INestApplication;
    const info = new DocumentBuilder()
      .setTitle('Sessionrec API')
      .setDescription(
        'Search, play and export recorded sessions. Sign in with POST /api/v1/auth/login and ' +
          'send the token as `Authorization: Bearer <token>`. Errors are `{error:{code,message}}`. ' +
          'See docs/api.md.',
      )
      .setVersion(PLATFORM_VERSION)
      .addBearerAuth()
      .build();
    const document = SwaggerModule.createDocument(appView, info);
    // Only the public API: the platform's health and metrics routes are documented elsewhere.
    document.paths = Object.fromEntries(
      Object.entries(document.paths).filter(([path]) => path.startsWith('/api/v1/')),
    );
    return document;
  }
}
