#!/usr/bin/env node
// What a bare POST costs next to the ceiling's GET: the bench's check ratio is taken against the
// GET ceiling, and a POST with a check's body does more in Node and Fastify before any Tessera code
// runs (reading and parsing the body). Fresh ceiling apps (with CEILING_WITH_POST=1), server on
// core 0, load from core 1, the server's CPU a request.
//
//   node tools/bench/post-floor.mjs [--rounds 3] [--seconds 3]
import { join } from 'node:path';
import { ROOT, SERVER_FLAGS, TEN_CHECKS, load, option, pinToCore1, startServer, stop } from './lib.mjs';

pinToCore1();
const ROUNDS = Number(option('--rounds', 3));
const SECONDS = Number(option('--seconds', 3));
// ab.mjs's check body.
const post = { method: 'POST', body: JSON.stringify({ userId: 'ada', op: 'anyOf', checks: TEN_CHECKS }) };

for (let round = 1; round <= ROUNDS; round++) {
  const server = await startServer([...SERVER_FLAGS, join(ROOT, 'tools/bench/ceiling.mjs')], { CEILING_WITH_POST: '1' }, /CEILING (http:\/\/\S+)/);
  try {
    await load(server.url, { seconds: 1 });
    const get = await load(server.url, { seconds: SECONDS, pid: server.pid });
    await load(`${server.url}/post`, { ...post, seconds: 1 });
    const bare = await load(`${server.url}/post`, { ...post, seconds: SECONDS, pid: server.pid });
    if (bare.non2xx + bare.errors + bare.timeouts > 0) throw new Error(`POST: ${bare.non2xx} non-2xx, ${bare.errors + bare.timeouts} errors`);
    const rate = (r) => Math.round(r.requests.average).toLocaleString('en-US');
    console.log(
      `round ${round}: GET ${rate(get)} req/s, ${get.cpuUsPerRequest.toFixed(1)} µs; POST of a check's body ${rate(bare)} req/s, ` +
        `${bare.cpuUsPerRequest.toFixed(1)} µs; POST ÷ GET ${(bare.requests.average / get.requests.average).toFixed(3)}`,
    );
  } finally {
    await stop(server);
  }
}
