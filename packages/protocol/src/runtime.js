// protobufjs set up for fanout: int64 fields decode to JavaScript numbers
// (the decoder then rejects any offset that is not a safe integer), in Node
// and in browsers alike. Imported by the generated code before it runs.
import $protobuf from 'protobufjs/minimal.js';

$protobuf.util.Long = undefined;
$protobuf.configure();

export default $protobuf;
