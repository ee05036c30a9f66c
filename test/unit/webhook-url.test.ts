import {
  isInternalAddress,
  systemHostResolver,
  webhookHostProblem,
  webhookUrlProblem,
  type HostResolver,
} from '../../subgraph/outbox/webhook-url';

describe('webhookUrlProblem', () => {
  it.each([
    'https://hooks.example.org/near-miss',
    'https://hooks.example.org:8443/near-miss?source=subgraph',
    'https://203.0.113.9/hook',
    'https://[2001:db8::1]/hook',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeUndefined();
  });

  it.each([
    ['hooks.example.org/x', /absolute URL/],
    ['ftp://hooks.example.org/x', /http\(s\)/],
    ['http://hooks.example.org/x', /https/],
    ['https://user:secret@hooks.example.org/x', /credentials/],
    ['https://hooks.example.org/x#part', /fragment/],
    ['https://localhost/x', /this machine/],
    ['https://api.localhost/x', /this machine/],
    ['https://localhost./x', /this machine/],
    ['https://127.1/x', /loopback or private/],
    ['https://0x7f000001/x', /loopback or private/],
    ['https://100.64.0.1/x', /loopback or private/],
    ['https://198.18.0.1/x', /loopback or private/],
    ['https://224.0.0.251/x', /loopback or private/],
    ['https://[fe80::1]/x', /loopback or private/],
    ['https://[64:ff9b::127.0.0.1]/x', /loopback or private/],
    ['https://127.0.0.1/x', /loopback or private/],
    ['https://10.0.0.8/x', /loopback or private/],
    ['https://172.20.1.1/x', /loopback or private/],
    ['https://192.168.1.10/x', /loopback or private/],
    ['https://169.254.169.254/latest/meta-data', /loopback or private/],
    ['https://[::1]/x', /loopback or private/],
    ['https://[::ffff:127.0.0.1]/x', /loopback or private/],
    ['https://[fd00::1]/x', /loopback or private/],
    [`https://hooks.example.org/${'x'.repeat(2100)}`, /at most 2048/],
  ])('refuses %s in production', (url, problem) => {
    expect(webhookUrlProblem(url, false)).toMatch(problem);
  });

  it('allows local http receivers when insecure URLs are allowed (development, tests), but still refuses non-URLs and credentials', () => {
    expect(webhookUrlProblem('http://127.0.0.1:3000/hook', true)).toBeUndefined();
    expect(webhookUrlProblem('not a url', true)).toMatch(/absolute URL/);
    expect(webhookUrlProblem('http://a:b@127.0.0.1/hook', true)).toMatch(/credentials/);
  });
});

describe('isInternalAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.20.30.40', true],
    ['172.31.255.255', true],
    ['192.168.0.1', true],
    ['169.254.169.254', true],
    ['100.127.0.1', true],
    ['0.0.0.0', true],
    ['255.255.255.255', true],
    ['::1', true],
    ['::', true],
    ['fd12:3456::1', true],
    ['fe80::abcd', true],
    ['ff02::1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['64:ff9b::a00:1', true],
    ['64:ff9b::7f00:1', true],
    ['not an address', true],
    ['203.0.113.9', false],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['2001:db8::1', false],
    ['2606:4700::1111', false],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::808:808', false],
  ])('%s: %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});

describe('webhookHostProblem', () => {
  const answers: Record<string, string[]> = {
    'hooks.example.org': ['203.0.113.10', '2001:db8::10'],
    'split.example.org': ['203.0.113.11', '::1'],
    'empty.example.org': [],
  };
  const resolver: HostResolver = (hostname) =>
    hostname in answers
      ? Promise.resolve(answers[hostname])
      : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${hostname}`));

  it('accepts a name whose every address is public, and checks literal addresses without a lookup', async () => {
    const never: HostResolver = () => Promise.reject(new Error('no lookup expected'));
    expect(await webhookHostProblem('https://hooks.example.org/x', resolver, 1000)).toBeUndefined();
    expect(await webhookHostProblem('https://hooks.example.org./x', resolver, 1000)).toBeUndefined();
    expect(await webhookHostProblem('https://203.0.113.9/x', never, 1000)).toBeUndefined();
    expect(await webhookHostProblem('https://[::1]/x', never, 1000)).toMatch(/loopback or private/);
  });

  it.each([
    ['one of its addresses is loopback', 'https://split.example.org/x', /must not resolve to a loopback/],
    ['it does not resolve', 'https://nowhere.example.org/x', /does not resolve/],
    ['it has no address', 'https://empty.example.org/x', /does not resolve/],
  ])('refuses a name when %s', async (_case, url, problem) => {
    expect(await webhookHostProblem(url, resolver, 1000)).toMatch(problem);
  });

  it('refuses a name whose lookup does not answer in time', async () => {
    const hanging: HostResolver = () => new Promise(() => undefined);
    expect(await webhookHostProblem('https://slow.example.org/x', hanging, 20)).toMatch(/does not resolve/);
  });

  it('asks the system resolver by default, which knows this machine (offline: /etc/hosts)', async () => {
    expect(await systemHostResolver('localhost')).toContain('127.0.0.1');
    expect(await webhookHostProblem('https://localhost/x', systemHostResolver, 5000)).toMatch(
      /must not resolve to a loopback/,
    );
  });
});
