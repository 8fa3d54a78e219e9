/**
 * Serves the console's index.html for its client routes (deep links such as
 * /search?user=alice or /sessions/{id}?t=60000 open directly). The page itself holds no
 * data, so it is public; everything it shows comes from the signed-in API. Share links
 * carry their token in the path, so no page sends a Referer anywhere.
 */
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/public.decorator';
import { CONSOLE_FILES } from './console.tokens';
import type { ConsoleFiles } from './console-files';
import { CONSOLE_CSP, CONSOLE_ROUTES } from './console-routes';

const NOT_BUILT = `<!doctype html><title>Sessionrec</title>
<p>The console is not built. Run <code>npm run build</code> and restart the api.</p>`;

@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  constructor(@Inject(CONSOLE_FILES) private readonly files: ConsoleFiles) {}

  @Get([...CONSOLE_ROUTES])
  @Header('cache-control', 'no-cache')
  @Header('content-security-policy', CONSOLE_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  @Header('x-frame-options', 'DENY')
  page(@Res() reply: FastifyReply): void {
    const html = this.files.indexHtml;
    void reply
      .status(html ? 200 : 503)
      .type('text/html; charset=utf-8')
      .send(html ?? NOT_BUILT);
  }
}
