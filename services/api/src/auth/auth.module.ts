/** Sign-in: users, tokens, the global guard, and the first administrator. */
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { AdminBootstrap } from './admin-bootstrap';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { UsersRepository } from './users.repository';

@Module({
  imports: [AuditModule],
  controllers: [AuthController],
  providers: [
    UsersRepository,
    AuthService,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
