/**
 * The explicit allow-list of the global sign-in guard: a route (or controller) marked
 * @Public() is reachable without a token. Everything else under the api answers 401.
 */
import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'sessionrec:public';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
