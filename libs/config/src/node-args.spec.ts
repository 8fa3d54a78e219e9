import { SERVICE_PORTS } from './groups/http';
import { nodeArgsOf, SERVICE_NODE_ARGS } from './node-args';

describe('service Node.js options', () => {
  it('lists every service, each option a flag', () => {
    expect(Object.keys(SERVICE_NODE_ARGS).sort()).toEqual(Object.keys(SERVICE_PORTS).sort());
    for (const args of Object.values(SERVICE_NODE_ARGS)) {
      for (const arg of args) expect(arg).toMatch(/^--[a-z][a-z0-9-]*(=\S+)?$/);
    }
  });

  it("answers a service's options by name, and none for anything else", () => {
    expect(nodeArgsOf('ingest')).toEqual(['--max-semi-space-size=64']);
    expect(nodeArgsOf('api')).toEqual([]);
    expect(nodeArgsOf('agent')).toEqual([]);
    // Names that every object has are not services.
    expect(nodeArgsOf('constructor')).toEqual([]);
    expect(nodeArgsOf('__proto__')).toEqual([]);
  });
});
