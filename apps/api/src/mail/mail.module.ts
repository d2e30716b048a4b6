import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailService } from './mail.service.js';
import { OutboxMailService } from './outbox-mail.service.js';
import { OutboxWorker } from './outbox-worker.js';
import { OutboxMailEntity } from './outbox.entity.js';
import { OutboxRepository } from './outbox.repository.js';

/** Outgoing mail: the outbox, and the worker that sends from it (started with the module, stopped on shutdown). */
@Module({
  imports: [TypeOrmModule.forFeature([OutboxMailEntity])],
  providers: [{ provide: MailService, useClass: OutboxMailService }, OutboxRepository, OutboxWorker],
  exports: [MailService],
})
export class MailModule {}
