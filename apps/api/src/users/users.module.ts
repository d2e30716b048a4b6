import { Module } from '@nestjs/common';
import { PasswordService } from './password.service.js';
import { UserRepository, userTables } from './user.repository.js';
import { UserService } from './user.service.js';

/** People: their accounts, profiles and passwords. Administration of them is the admin module's. */
@Module({
  imports: [userTables],
  providers: [UserService, UserRepository, PasswordService],
  exports: [UserService, PasswordService],
})
export class UsersModule {}
