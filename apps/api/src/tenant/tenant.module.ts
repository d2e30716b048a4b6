import { Module } from '@nestjs/common';
import { PasswordService } from './password.service.js';
import { UserController } from './user.controller.js';
import { UserService } from './user.service.js';

/** Users now; tenants, roles, permissions and grants join it. */
@Module({
  controllers: [UserController],
  providers: [UserService, PasswordService],
  exports: [UserService, PasswordService],
})
export class TenantModule {}
