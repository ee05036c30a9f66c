import { webhookUrlProblem } from '../../subgraph/outbox/webhook-url';

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
