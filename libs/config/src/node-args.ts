/**
 * Node.js options each service is started with, wherever it runs: `sessionrec start`, the
 * compose file, the Helm chart and the benchmark's harness all read or mirror this list
 * (test/deploy checks the static files against it).
 *
 * ingest: a 64 MiB young-generation semi-space instead of V8's 16 MiB. Ingest allocates
 * a few short-lived objects per event and segment (parsed bodies, validated messages,
 * headers, promises) at thousands a second; with the default semi-space a scavenge ran
 * every ~70 ms and found most of a request's objects still alive, copying and promoting
 * them. With 2,000 simulated sessions it cut scavenges from ~500-740 to ~160 per run and
 * their time by half (--trace-gc): ~3 % of a core, and far fewer 2-7 ms pauses in the
 * acknowledgement tail. The price is memory: peak RSS in the benchmark went from ~430 to
 * ~530 MiB (the Helm chart's ingest limit is 768Mi).
 */
import type { ServiceName } from './groups/http';

export const SERVICE_NODE_ARGS: Readonly<Record<ServiceName, readonly string[]>> = {
  api: [],
  ingest: ['--max-semi-space-size=64'],
  policy: [],
  indexer: [],
  responder: [],
  retention: [],
};

/** The options of a service by name, none for a name that is not a service. */
export function nodeArgsOf(service: string): readonly string[] {
  return Object.hasOwn(SERVICE_NODE_ARGS, service) ? SERVICE_NODE_ARGS[service as ServiceName] : [];
}
