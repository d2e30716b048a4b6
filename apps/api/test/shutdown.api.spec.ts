import { Controller, Get } from '@nestjs/common';
import { connect } from 'node:net';
import { Public } from '../src/infra/http/auth.decorator.js';
import { TestStore, createAppWith, sleep } from './harness.js';

/** A request the test holds open: `reached` once the handler runs, answered on `release()`. */
let reached: () => void;
let release: () => void;
const handlerRunning = new Promise<void>((resolve) => (reached = resolve));
const gate = new Promise<void>((resolve) => (release = resolve));

@Controller('test-shutdown')
class HeldController {
  @Get('held')
  @Public()
  async held() {
    reached();
    await gate;
    return { answered: true };
  }

  /** A handler that never answers (a stuck downstream call, say). */
  @Get('stuck')
  @Public()
  stuck() {
    return new Promise(() => undefined);
  }
}

describe('shutdown', () => {
  const store = new TestStore('sqlite');
  afterAll(() => store.drop());

  it('answers a request in flight, then ends its keep-alive connection rather than holding the close for the keep-alive timeout', async () => {
    const app = await createAppWith(store, HeldController);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const server = app.getHttpServer();
    const { port } = server.address() as { port: number };

    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /test-shutdown/held HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await handlerRunning;

    const closed = app.close();
    // Answer only once the listening socket is closed, so the connection was busy when close began.
    while (server.listening) await sleep(5);
    release();

    // Without the sweep the server keeps this socket for 72 s and both waits outlast the test's timeout.
    await ended;
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('{"answered":true}');
  });

  it('ends, after a grace period, a connection whose answer never comes', async () => {
    const app = await createAppWith(store, HeldController);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /test-shutdown/stuck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await sleep(300);
    const started = Date.now();
    // Without the deadline the close waits for the answer, for ever.
    await app.close();
    await ended;
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
