// The generated message schemas, for applications that read or build Wesh messages themselves
// (with @bufbuild/protobuf's create / toBinary / fromBinary).
export * from './gen/protocoltypes_pb.js';
export * from './gen/handshake_pb.js';
