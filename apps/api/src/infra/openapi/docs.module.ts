import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller.js';

/** The OpenAPI document, built from the routes' contracts, and Swagger UI to read it. */
@Module({ controllers: [DocsController] })
export class DocsModule {}
