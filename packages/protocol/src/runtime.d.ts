import type $protobuf from 'protobufjs/minimal.js';

declare const runtime: typeof $protobuf;
export default runtime;
