import protobuf from 'protobufjs/minimal.js';

// Goldmane's int64 fields (unix seconds, counters) stay far below 2^53: decode
// them as JS numbers, not Long objects. This must run before the generated
// code loads (its prototype defaults read util.Long), so codec.ts imports this
// module first.
protobuf.util.Long = null as unknown as typeof protobuf.util.Long;
protobuf.configure();
