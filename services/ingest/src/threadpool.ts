/**
 * Imported first by main.ts: libuv's thread pool (file system calls, crypto) is sized from
 * UV_THREADPOOL_SIZE when it is first used, and Node's default of 4 threads is too few for
 * ingest. Each segment written to a filesystem store makes ~11 file calls, two of them
 * fsyncs; with 4 threads, four slow fsyncs stall every other upload's mkdir, open and
 * link behind them (measured: store p50 500 ms at 65 segments/s on a busy disk). An
 * operator's own UV_THREADPOOL_SIZE wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '32';
