import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, parseListenAddress } from '../../src/config/address.js';

test('listen addresses in Go form', () => {
  assert.deepEqual(parseListenAddress(':9090'), { host: '', port: 9090 });
  assert.deepEqual(parseListenAddress('9009'), { host: '', port: 9009 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9090'), { host: '0.0.0.0', port: 9090 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:9090'), { host: '::1', port: 9090 });
  assert.deepEqual(parseListenAddress('[::]:80'), { host: '::', port: 80 });
  assert.deepEqual(parseListenAddress('localhost:9090'), { host: 'localhost', port: 9090 });
  assert.deepEqual(parseListenAddress('flowlens.monitoring.svc:9090'), { host: 'flowlens.monitoring.svc', port: 9090 });
});

test('unparsable addresses name the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /expected host:port/],
    ['localhost', /expected host:port/],
    [':99999', /out of range/],
    [':http', /not a number/],
    ['::1:9090', /brackets/],
    ['[::1]9090', /expected \[IPv6\]:port/],
    ['[1.2.3.4]:80', /not an IPv6 address/],
    ['bad_host:80', /not a valid host name/],
    ['-lead.example:80', /not a valid host name/],
  ];
  for (const [input, reason] of cases) assert.throws(() => parseListenAddress(input), reason, input);
});

test('formatting brackets IPv6 hosts', () => {
  assert.equal(formatAddress({ host: '::1', port: 9090 }), '[::1]:9090');
  assert.equal(formatAddress({ host: '127.0.0.1', port: 1 }), '127.0.0.1:1');
  assert.equal(formatAddress({ host: '', port: 9090 }), ':9090');
});
