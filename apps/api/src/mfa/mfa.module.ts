import { Module } from '@nestjs/common';

/** The second factor: TOTP secrets, recovery codes, and the challenges of sign-in's second step. */
@Module({})
export class MfaModule {}
