import { useServer } from './harness.js';

interface Document {
  servers?: { url: string }[];
  info: { license?: { name: string; identifier?: string } };
}

describe('the OpenAPI document', () => {
  const t = useServer('sqlite');
  const doc = async () => (await (await fetch(`${t.server.url}/docs/openapi.json`)).json()) as Document;

  it('names its servers and its license', async () => {
    const { servers, info } = await doc();
    expect(servers).toEqual([{ url: '/' }]);
    expect(info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
  });
});
