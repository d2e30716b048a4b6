// The ceiling: a bare NestJS + Fastify app whose one GET route returns a small JSON object.
// Plain JS with the decorators applied by hand, so it needs no build step.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

class HelloController {
  hello() {
    return { hello: 'world' };
  }
}
const route = (decorator, method) =>
  decorator(HelloController.prototype, method, Object.getOwnPropertyDescriptor(HelloController.prototype, method));
route(Get(), 'hello');
Controller()(HelloController);

class CeilingModule {}
Module({ controllers: [HelloController] })(CeilingModule);

const app = await NestFactory.create(CeilingModule, new FastifyAdapter(), { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`CEILING http://127.0.0.1:${app.getHttpServer().address().port}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void app.close().then(() => process.exit(0)));
