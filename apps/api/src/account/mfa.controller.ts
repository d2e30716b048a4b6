import { Controller } from '@nestjs/common';

/** A person's own second factor: enrol, confirm, disable, new recovery codes. */
@Controller('v1/auth/mfa')
export class MfaController {}
