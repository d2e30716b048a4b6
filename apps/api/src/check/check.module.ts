import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { CheckController } from './check.controller.js';
import { CheckRepository } from './check.repository.js';
import { CheckService } from './check.service.js';

/** The one permission resolver: every "does U hold P" asks it. It reads the directory's grants. */
@Module({
  imports: [DirectoryModule, EntitlementsModule],
  controllers: [CheckController],
  providers: [CheckService, CheckRepository],
  exports: [CheckService],
})
export class CheckModule {}
