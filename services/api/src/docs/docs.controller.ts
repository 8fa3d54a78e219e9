/**
 * The OpenAPI document (`/api/docs/json`, also `/api/docs-json`) and a Swagger UI page at
 * `/api/docs` served from the swagger-ui-dist package on this host (no CDN).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { NotFoundError } from '../http/api-errors';
import { OpenApiDocument } from './openapi-document';

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sessionrec API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"><p>The API document is at <a href="/api/docs/json">/api/docs/json</a>.</p></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({ url: '/api/docs/json', dom_id: '#swagger-ui', deepLinking: true });
};
`;

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
} as const;

function swaggerUiDir(): string {
  const swagger = path.dirname(require.resolve('@nestjs/swagger'));
  return path.dirname(require.resolve('swagger-ui-dist/package.json', { paths: [swagger] }));
}

@Public()
@ApiExcludeController()
@Controller('api')
export class DocsController {
  private readonly assets = new Map<string, Buffer>();

  constructor(private readonly document: OpenApiDocument) {}

  @Get('docs')
  page(@Res() reply: FastifyReply): void {
    void reply.type('text/html; charset=utf-8').send(PAGE);
  }

  @Get('docs/json')
  json() {
    return this.document.get();
  }

  @Get('docs-json')
  jsonAlias() {
    return this.document.get();
  }

  @Get('docs/init.js')
  init(@Res() reply: FastifyReply): void {
    void reply.type('application/javascript; charset=utf-8').send(INIT);
  }

  @Get('docs/swagger-ui.css')
  async css(@Res() reply: FastifyReply): Promise<void> {
    await this.asset('swagger-ui.css', reply);
  }

  @Get('docs/swagger-ui-bundle.js')
  async bundle(@Res() reply: FastifyReply): Promise<void> {
    await this.asset('swagger-ui-bundle.js', reply);
  }

  private async asset(name: keyof typeof ASSETS, reply: FastifyReply): Promise<void> {
    let bytes = this.assets.get(name);
    if (!bytes) {
      try {
        bytes = await readFile(path.join(swaggerUiDir(), name));
      } catch {
        throw new NotFoundError('the Swagger UI assets are not installed');
      }
      this.assets.set(name, bytes);
    }
    void reply.type(ASSETS[name]).header('cache-control', 'public, max-age=86400').send(bytes);
  }
}
