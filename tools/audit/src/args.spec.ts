import { UsageError, parseArgs } from './args';
import { findingsTable } from './output';

describe('audit command line', () => {
  it('parses verify with space- and equals-separated values', () => {
    expect(parseArgs(['verify', '--from', 'sqlite:x.db', '--audit-key=k.pem', '--json', 'r.json'])).toEqual({ name: 'verify', from: 'sqlite:x.db', auditKey: 'k.pem', json: 'r.json', threads: 2, tokenFile: null, witnesses: [], witnessQuorum: 0 });
    expect(parseArgs(['verify', '--from', 'x.jsonl', '--audit-key', 'k.pem', '--threads', '1'])).toEqual({ name: 'verify', from: 'x.jsonl', auditKey: 'k.pem', json: null, threads: 1, tokenFile: null, witnesses: [], witnessQuorum: 0 });
    expect(parseArgs(['export', '--out', 'o.jsonl', '--from', 'esdb:esdb://h:2113'])).toEqual({ name: 'export', from: 'esdb:esdb://h:2113', out: 'o.jsonl', tokenFile: null });
    expect(parseArgs(['export', '--from', 'api:https://kl.example', '--out', 'o.jsonl', '--token-file', 't'])).toEqual({ name: 'export', from: 'api:https://kl.example', out: 'o.jsonl', tokenFile: 't' });
    expect(parseArgs(['verify', '--from=api:http://127.0.0.1:8080', '--audit-key', 'k.pem', '--token-file=t'])).toMatchObject({ name: 'verify', from: 'api:http://127.0.0.1:8080', tokenFile: 't' });
    expect(parseArgs(['verify', '--from', 'x.jsonl', '--audit-key', 'k', '--witness', 'a', '--witness=b'])).toMatchObject({ witnesses: ['a', 'b'], witnessQuorum: 2 });
    expect(parseArgs(['verify', '--from', 'x.jsonl', '--audit-key', 'k', '--witness', 'a', '--witness', 'b', '--witness-quorum', '1'])).toMatchObject({ witnesses: ['a', 'b'], witnessQuorum: 1 });
  });

  it.each([
    [[], 'a command is needed'],
    [['verify', '--from'], '--from needs a value'],
    [['verify', '--from', '--audit-key', 'k'], '--from needs a value'],
    [['verify', '--from', 'a', '--from', 'b', '--audit-key', 'k'], 'given twice'],
    [['export', '--from', 'a', '--audit-key', 'k'], 'unknown option --audit-key'],
    [['export', '--from', 'a'], 'export needs --out'],
    [['verify', '--from', 'a', '--audit-key', 'k', '--threads', '3'], '--threads takes 1 or 2, not 3'],
    [['export', '--from', 'a', '--out', 'o', '--threads', '1'], 'unknown option --threads'],
    [['verify', '--from', 'a', '--audit-key', 'k', '--witness-quorum', '1'], '--witness-quorum needs at least one --witness'],
    [['verify', '--from', 'a', '--audit-key', 'k', '--witness', 'w', '--witness-quorum', '2'], '--witness-quorum takes 1..1'],
    [['verify', '--from', 'a', '--audit-key', 'k', '--witness', 'w', '--witness-quorum', '0'], '--witness-quorum takes 1..1'],
    [['export', '--from', 'sqlite:x.db', '--out', 'o', '--token-file', 't'], '--token-file applies to api: sources only'],
    [['export', '--from', 'api:http://h', '--out', 'o', '--token', 'secret'], 'unknown option --token'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseArgs(argv as string[])).toThrow(message);
  });

  it('prints findings as an aligned table', () => {
    const table = findingsTable([
      { position: 12, stream: 'key-acme:k', rule: 'chain', detail: 'altered' },
      { position: null, stream: 'breaker-x', rule: 'stream-head', detail: 'missing' },
    ]);
    expect(table.split('\n')).toEqual([
      'POSITION  STREAM      RULE         DETAIL',
      '      12  key-acme:k  chain        altered',
      '       -  breaker-x   stream-head  missing',
    ]);
  });
});
