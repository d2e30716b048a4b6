// The ceiling: a bare NestJS + Fastify app whose one GET route returns a small JSON object.
// Plain JS with the decorators applied by hand, so it needs no build step. With
// CEILING_WITH_POST=1 it also has `POST /post`, which answers a check's body as a check would
// (for tools/bench/post-floor.mjs: what a bare POST of that body costs).
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

class HelloController {
  hello() {
    return { hello: 'world' };
  }

  post(body) {
    return { authorized: false, results: body.checks.map(() => false) };
  }
}
const route = (decorator, method) => decorator(HelloController.prototype, method, Object.getOwnPropertyDescriptor(HelloController.prototype, method));
route(Get(), 'hello');
if (process.env.CEILING_WITH_POST === '1') {
  route(Post('post'), 'post');
  route(HttpCode(200), 'post');
  Body()(HelloController.prototype, 'post', 0);
}
Controller()(HelloController);

class CeilingModule {}
Module({ controllers: [HelloController] })(CeilingModule);

const app = await NestFactory.create(CeilingModule, new FastifyAdapter(), { logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`CEILING http://127.0.0.1:${app.getHttpServer().address().port}`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void app.close().then(() => process.exit(0)));
