import { Module } from '@nestjs/common';
import { WebController } from './web.controller.js';

/** Serves the built web app (account pages, console, self-service dashboard) beside the API. */
@Module({ controllers: [WebController] })
export class WebModule {}
