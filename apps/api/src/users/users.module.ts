import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UserEntity } from './user.entity.js';
import { PasswordPolicy } from './password-policy.js';
import { PasswordService } from './password.service.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

/** People: their accounts, profiles and passwords. Administration of them is the admin module's. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity])],
  providers: [UserService, UserRepository, PasswordService, PasswordPolicy],
  exports: [UserService, PasswordService],
})
export class UsersModule {}
