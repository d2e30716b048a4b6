import Fastify from 'fastify';
const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`RAW http://127.0.0.1:${app.server.address().port}`);
process.on('SIGTERM', () => process.exit(0));
