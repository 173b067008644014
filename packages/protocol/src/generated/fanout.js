/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars*/
import $protobuf from "../runtime.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const fanout = $root.fanout = (() => {

    /**
     * Namespace fanout.
     * @exports fanout
     * @namespace
     */
    const fanout = {};

    fanout.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof fanout
         * @namespace
         */
        const v1 = {};

        /**
         * ErrorCode enum.
         * @name fanout.v1.ErrorCode
         * @enum {number}
         * @property {number} ERROR_CODE_UNSPECIFIED=0 ERROR_CODE_UNSPECIFIED value
         * @property {number} ERROR_CODE_MALFORMED_FRAME=100 ERROR_CODE_MALFORMED_FRAME value
         * @property {number} ERROR_CODE_FRAME_TOO_LARGE=101 ERROR_CODE_FRAME_TOO_LARGE value
         * @property {number} ERROR_CODE_UNKNOWN_FRAME=102 ERROR_CODE_UNKNOWN_FRAME value
         * @property {number} ERROR_CODE_HELLO_REQUIRED=103 ERROR_CODE_HELLO_REQUIRED value
         * @property {number} ERROR_CODE_HELLO_REPEATED=104 ERROR_CODE_HELLO_REPEATED value
         * @property {number} ERROR_CODE_UNSUPPORTED_VERSION=105 ERROR_CODE_UNSUPPORTED_VERSION value
         * @property {number} ERROR_CODE_RATE_LIMITED=106 ERROR_CODE_RATE_LIMITED value
         * @property {number} ERROR_CODE_UNAUTHENTICATED=200 ERROR_CODE_UNAUTHENTICATED value
         * @property {number} ERROR_CODE_TOKEN_EXPIRED=201 ERROR_CODE_TOKEN_EXPIRED value
         * @property {number} ERROR_CODE_FORBIDDEN=202 ERROR_CODE_FORBIDDEN value
         * @property {number} ERROR_CODE_SESSION_FORBIDDEN=203 ERROR_CODE_SESSION_FORBIDDEN value
         * @property {number} ERROR_CODE_SUBJECT_MISMATCH=204 ERROR_CODE_SUBJECT_MISMATCH value
         * @property {number} ERROR_CODE_AUTH_UNAVAILABLE=205 ERROR_CODE_AUTH_UNAVAILABLE value
         * @property {number} ERROR_CODE_INVALID_CHANNEL=300 ERROR_CODE_INVALID_CHANNEL value
         * @property {number} ERROR_CODE_UNKNOWN_TOPIC=301 ERROR_CODE_UNKNOWN_TOPIC value
         * @property {number} ERROR_CODE_TOO_MANY_SUBSCRIPTIONS=302 ERROR_CODE_TOO_MANY_SUBSCRIPTIONS value
         * @property {number} ERROR_CODE_ALREADY_SUBSCRIBED=303 ERROR_CODE_ALREADY_SUBSCRIBED value
         * @property {number} ERROR_CODE_NOT_SUBSCRIBED=304 ERROR_CODE_NOT_SUBSCRIBED value
         * @property {number} ERROR_CODE_INVALID_POSITION=305 ERROR_CODE_INVALID_POSITION value
         * @property {number} ERROR_CODE_ACK_BEYOND_DELIVERED=306 ERROR_CODE_ACK_BEYOND_DELIVERED value
         * @property {number} ERROR_CODE_SESSION_NOT_FOUND=400 ERROR_CODE_SESSION_NOT_FOUND value
         * @property {number} ERROR_CODE_STORE_UNAVAILABLE=401 ERROR_CODE_STORE_UNAVAILABLE value
         * @property {number} ERROR_CODE_SESSION_TAKEN_OVER=402 ERROR_CODE_SESSION_TAKEN_OVER value
         * @property {number} ERROR_CODE_SLOW_CONSUMER=500 ERROR_CODE_SLOW_CONSUMER value
         * @property {number} ERROR_CODE_INTERNAL=600 ERROR_CODE_INTERNAL value
         * @property {number} ERROR_CODE_SOURCE_UNAVAILABLE=601 ERROR_CODE_SOURCE_UNAVAILABLE value
         * @property {number} ERROR_CODE_SHUTTING_DOWN=602 ERROR_CODE_SHUTTING_DOWN value
         */
        v1.ErrorCode = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "ERROR_CODE_UNSPECIFIED"] = 0;
            values[valuesById[100] = "ERROR_CODE_MALFORMED_FRAME"] = 100;
            values[valuesById[101] = "ERROR_CODE_FRAME_TOO_LARGE"] = 101;
            values[valuesById[102] = "ERROR_CODE_UNKNOWN_FRAME"] = 102;
            values[valuesById[103] = "ERROR_CODE_HELLO_REQUIRED"] = 103;
            values[valuesById[104] = "ERROR_CODE_HELLO_REPEATED"] = 104;
            values[valuesById[105] = "ERROR_CODE_UNSUPPORTED_VERSION"] = 105;
            values[valuesById[106] = "ERROR_CODE_RATE_LIMITED"] = 106;
            values[valuesById[200] = "ERROR_CODE_UNAUTHENTICATED"] = 200;
            values[valuesById[201] = "ERROR_CODE_TOKEN_EXPIRED"] = 201;
            values[valuesById[202] = "ERROR_CODE_FORBIDDEN"] = 202;
            values[valuesById[203] = "ERROR_CODE_SESSION_FORBIDDEN"] = 203;
            values[valuesById[204] = "ERROR_CODE_SUBJECT_MISMATCH"] = 204;
            values[valuesById[205] = "ERROR_CODE_AUTH_UNAVAILABLE"] = 205;
            values[valuesById[300] = "ERROR_CODE_INVALID_CHANNEL"] = 300;
            values[valuesById[301] = "ERROR_CODE_UNKNOWN_TOPIC"] = 301;
            values[valuesById[302] = "ERROR_CODE_TOO_MANY_SUBSCRIPTIONS"] = 302;
            values[valuesById[303] = "ERROR_CODE_ALREADY_SUBSCRIBED"] = 303;
            values[valuesById[304] = "ERROR_CODE_NOT_SUBSCRIBED"] = 304;
            values[valuesById[305] = "ERROR_CODE_INVALID_POSITION"] = 305;
            values[valuesById[306] = "ERROR_CODE_ACK_BEYOND_DELIVERED"] = 306;
            values[valuesById[400] = "ERROR_CODE_SESSION_NOT_FOUND"] = 400;
            values[valuesById[401] = "ERROR_CODE_STORE_UNAVAILABLE"] = 401;
            values[valuesById[402] = "ERROR_CODE_SESSION_TAKEN_OVER"] = 402;
            values[valuesById[500] = "ERROR_CODE_SLOW_CONSUMER"] = 500;
            values[valuesById[600] = "ERROR_CODE_INTERNAL"] = 600;
            values[valuesById[601] = "ERROR_CODE_SOURCE_UNAVAILABLE"] = 601;
            values[valuesById[602] = "ERROR_CODE_SHUTTING_DOWN"] = 602;
            return values;
        })();

        /**
         * CloseCode enum.
         * @name fanout.v1.CloseCode
         * @enum {number}
         * @property {number} CLOSE_CODE_UNSPECIFIED=0 CLOSE_CODE_UNSPECIFIED value
         * @property {number} CLOSE_CODE_NORMAL=1000 CLOSE_CODE_NORMAL value
         * @property {number} CLOSE_CODE_GOING_AWAY=1001 CLOSE_CODE_GOING_AWAY value
         * @property {number} CLOSE_CODE_SHUTDOWN=4000 CLOSE_CODE_SHUTDOWN value
         * @property {number} CLOSE_CODE_HEARTBEAT_TIMEOUT=4001 CLOSE_CODE_HEARTBEAT_TIMEOUT value
         * @property {number} CLOSE_CODE_SLOW_CONSUMER=4002 CLOSE_CODE_SLOW_CONSUMER value
         * @property {number} CLOSE_CODE_INTERNAL=4003 CLOSE_CODE_INTERNAL value
         * @property {number} CLOSE_CODE_STORE_UNAVAILABLE=4004 CLOSE_CODE_STORE_UNAVAILABLE value
         * @property {number} CLOSE_CODE_SOURCE_UNAVAILABLE=4005 CLOSE_CODE_SOURCE_UNAVAILABLE value
         * @property {number} CLOSE_CODE_RATE_LIMITED=4006 CLOSE_CODE_RATE_LIMITED value
         * @property {number} CLOSE_CODE_AUTH_UNAVAILABLE=4007 CLOSE_CODE_AUTH_UNAVAILABLE value
         * @property {number} CLOSE_CODE_CONTROL_FRAME_DROPPED=4008 CLOSE_CODE_CONTROL_FRAME_DROPPED value
         * @property {number} CLOSE_CODE_SESSION_NOT_FOUND=4100 CLOSE_CODE_SESSION_NOT_FOUND value
         * @property {number} CLOSE_CODE_SESSION_TAKEN_OVER=4101 CLOSE_CODE_SESSION_TAKEN_OVER value
         * @property {number} CLOSE_CODE_TOKEN_EXPIRED=4200 CLOSE_CODE_TOKEN_EXPIRED value
         * @property {number} CLOSE_CODE_PROTOCOL_ERROR=4400 CLOSE_CODE_PROTOCOL_ERROR value
         * @property {number} CLOSE_CODE_UNAUTHENTICATED=4401 CLOSE_CODE_UNAUTHENTICATED value
         * @property {number} CLOSE_CODE_SESSION_FORBIDDEN=4403 CLOSE_CODE_SESSION_FORBIDDEN value
         * @property {number} CLOSE_CODE_FRAME_TOO_LARGE=4409 CLOSE_CODE_FRAME_TOO_LARGE value
         * @property {number} CLOSE_CODE_UNSUPPORTED_VERSION=4410 CLOSE_CODE_UNSUPPORTED_VERSION value
         */
        v1.CloseCode = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "CLOSE_CODE_UNSPECIFIED"] = 0;
            values[valuesById[1000] = "CLOSE_CODE_NORMAL"] = 1000;
            values[valuesById[1001] = "CLOSE_CODE_GOING_AWAY"] = 1001;
            values[valuesById[4000] = "CLOSE_CODE_SHUTDOWN"] = 4000;
            values[valuesById[4001] = "CLOSE_CODE_HEARTBEAT_TIMEOUT"] = 4001;
            values[valuesById[4002] = "CLOSE_CODE_SLOW_CONSUMER"] = 4002;
            values[valuesById[4003] = "CLOSE_CODE_INTERNAL"] = 4003;
            values[valuesById[4004] = "CLOSE_CODE_STORE_UNAVAILABLE"] = 4004;
            values[valuesById[4005] = "CLOSE_CODE_SOURCE_UNAVAILABLE"] = 4005;
            values[valuesById[4006] = "CLOSE_CODE_RATE_LIMITED"] = 4006;
            values[valuesById[4007] = "CLOSE_CODE_AUTH_UNAVAILABLE"] = 4007;
            values[valuesById[4008] = "CLOSE_CODE_CONTROL_FRAME_DROPPED"] = 4008;
            values[valuesById[4100] = "CLOSE_CODE_SESSION_NOT_FOUND"] = 4100;
            values[valuesById[4101] = "CLOSE_CODE_SESSION_TAKEN_OVER"] = 4101;
            values[valuesById[4200] = "CLOSE_CODE_TOKEN_EXPIRED"] = 4200;
            values[valuesById[4400] = "CLOSE_CODE_PROTOCOL_ERROR"] = 4400;
            values[valuesById[4401] = "CLOSE_CODE_UNAUTHENTICATED"] = 4401;
            values[valuesById[4403] = "CLOSE_CODE_SESSION_FORBIDDEN"] = 4403;
            values[valuesById[4409] = "CLOSE_CODE_FRAME_TOO_LARGE"] = 4409;
            values[valuesById[4410] = "CLOSE_CODE_UNSUPPORTED_VERSION"] = 4410;
            return values;
        })();

        v1.Position = (function() {

            /**
             * Properties of a Position.
             * @memberof fanout.v1
             * @interface IPosition
             * @property {number|null} [partition] Position partition
             * @property {number|Long|null} [offset] Position offset
             */

            /**
             * Constructs a new Position.
             * @memberof fanout.v1
             * @classdesc Represents a Position.
             * @implements IPosition
             * @constructor
             * @param {fanout.v1.IPosition=} [properties] Properties to set
             */
            function Position(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Position partition.
             * @member {number} partition
             * @memberof fanout.v1.Position
             * @instance
             */
            Position.prototype.partition = 0;

            /**
             * Position offset.
             * @member {number|Long} offset
             * @memberof fanout.v1.Position
             * @instance
             */
            Position.prototype.offset = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Creates a new Position instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Position
             * @static
             * @param {fanout.v1.IPosition=} [properties] Properties to set
             * @returns {fanout.v1.Position} Position instance
             */
            Position.create = function create(properties) {
                return new Position(properties);
            };

            /**
             * Encodes the specified Position message. Does not implicitly {@link fanout.v1.Position.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Position
             * @static
             * @param {fanout.v1.IPosition} message Position message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Position.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.partition != null && Object.hasOwnProperty.call(message, "partition"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.partition);
                if (message.offset != null && Object.hasOwnProperty.call(message, "offset"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int64(message.offset);
                return writer;
            };

            /**
             * Decodes a Position message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Position
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Position} Position
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Position.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Position();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.partition = reader.int32();
                            break;
                        }
                    case 2: {
                            message.offset = reader.int64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Position;
        })();

        v1.ChannelPositions = (function() {

            /**
             * Properties of a ChannelPositions.
             * @memberof fanout.v1
             * @interface IChannelPositions
             * @property {string|null} [channel] ChannelPositions channel
             * @property {Array.<fanout.v1.IPosition>|null} [positions] ChannelPositions positions
             */

            /**
             * Constructs a new ChannelPositions.
             * @memberof fanout.v1
             * @classdesc Represents a ChannelPositions.
             * @implements IChannelPositions
             * @constructor
             * @param {fanout.v1.IChannelPositions=} [properties] Properties to set
             */
            function ChannelPositions(properties) {
                this.positions = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ChannelPositions channel.
             * @member {string} channel
             * @memberof fanout.v1.ChannelPositions
             * @instance
             */
            ChannelPositions.prototype.channel = "";

            /**
             * ChannelPositions positions.
             * @member {Array.<fanout.v1.IPosition>} positions
             * @memberof fanout.v1.ChannelPositions
             * @instance
             */
            ChannelPositions.prototype.positions = $util.emptyArray;

            /**
             * Creates a new ChannelPositions instance using the specified properties.
             * @function create
             * @memberof fanout.v1.ChannelPositions
             * @static
             * @param {fanout.v1.IChannelPositions=} [properties] Properties to set
             * @returns {fanout.v1.ChannelPositions} ChannelPositions instance
             */
            ChannelPositions.create = function create(properties) {
                return new ChannelPositions(properties);
            };

            /**
             * Encodes the specified ChannelPositions message. Does not implicitly {@link fanout.v1.ChannelPositions.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.ChannelPositions
             * @static
             * @param {fanout.v1.IChannelPositions} message ChannelPositions message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ChannelPositions.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.channel);
                if (message.positions != null && message.positions.length)
                    for (let i = 0; i < message.positions.length; ++i)
                        $root.fanout.v1.Position.encode(message.positions[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a ChannelPositions message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.ChannelPositions
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.ChannelPositions} ChannelPositions
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ChannelPositions.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.ChannelPositions();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.channel = reader.string();
                            break;
                        }
                    case 2: {
                            if (!(message.positions && message.positions.length))
                                message.positions = [];
                            message.positions.push($root.fanout.v1.Position.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ChannelPositions;
        })();

        v1.Header = (function() {

            /**
             * Properties of a Header.
             * @memberof fanout.v1
             * @interface IHeader
             * @property {string|null} [key] Header key
             * @property {Uint8Array|null} [value] Header value
             */

            /**
             * Constructs a new Header.
             * @memberof fanout.v1
             * @classdesc Represents a Header.
             * @implements IHeader
             * @constructor
             * @param {fanout.v1.IHeader=} [properties] Properties to set
             */
            function Header(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Header key.
             * @member {string} key
             * @memberof fanout.v1.Header
             * @instance
             */
            Header.prototype.key = "";

            /**
             * Header value.
             * @member {Uint8Array|null|undefined} value
             * @memberof fanout.v1.Header
             * @instance
             */
            Header.prototype.value = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(Header.prototype, "_value", {
                get: $util.oneOfGetter($oneOfFields = ["value"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Header instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Header
             * @static
             * @param {fanout.v1.IHeader=} [properties] Properties to set
             * @returns {fanout.v1.Header} Header instance
             */
            Header.create = function create(properties) {
                return new Header(properties);
            };

            /**
             * Encodes the specified Header message. Does not implicitly {@link fanout.v1.Header.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Header
             * @static
             * @param {fanout.v1.IHeader} message Header message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Header.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.key != null && Object.hasOwnProperty.call(message, "key"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.key);
                if (message.value != null && Object.hasOwnProperty.call(message, "value"))
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.value);
                return writer;
            };

            /**
             * Decodes a Header message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Header
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Header} Header
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Header.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Header();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.key = reader.string();
                            break;
                        }
                    case 2: {
                            message.value = reader.bytes();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Header;
        })();

        v1.ClientFrame = (function() {

            /**
             * Properties of a ClientFrame.
             * @memberof fanout.v1
             * @interface IClientFrame
             * @property {fanout.v1.IHello|null} [hello] ClientFrame hello
             * @property {fanout.v1.ISubscribe|null} [subscribe] ClientFrame subscribe
             * @property {fanout.v1.IUnsubscribe|null} [unsubscribe] ClientFrame unsubscribe
             * @property {fanout.v1.IAck|null} [ack] ClientFrame ack
             * @property {fanout.v1.IPing|null} [ping] ClientFrame ping
             * @property {fanout.v1.IPong|null} [pong] ClientFrame pong
             * @property {fanout.v1.IRefresh|null} [refresh] ClientFrame refresh
             */

            /**
             * Constructs a new ClientFrame.
             * @memberof fanout.v1
             * @classdesc Represents a ClientFrame.
             * @implements IClientFrame
             * @constructor
             * @param {fanout.v1.IClientFrame=} [properties] Properties to set
             */
            function ClientFrame(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ClientFrame hello.
             * @member {fanout.v1.IHello|null|undefined} hello
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.hello = null;

            /**
             * ClientFrame subscribe.
             * @member {fanout.v1.ISubscribe|null|undefined} subscribe
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.subscribe = null;

            /**
             * ClientFrame unsubscribe.
             * @member {fanout.v1.IUnsubscribe|null|undefined} unsubscribe
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.unsubscribe = null;

            /**
             * ClientFrame ack.
             * @member {fanout.v1.IAck|null|undefined} ack
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.ack = null;

            /**
             * ClientFrame ping.
             * @member {fanout.v1.IPing|null|undefined} ping
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.ping = null;

            /**
             * ClientFrame pong.
             * @member {fanout.v1.IPong|null|undefined} pong
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.pong = null;

            /**
             * ClientFrame refresh.
             * @member {fanout.v1.IRefresh|null|undefined} refresh
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            ClientFrame.prototype.refresh = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * ClientFrame kind.
             * @member {"hello"|"subscribe"|"unsubscribe"|"ack"|"ping"|"pong"|"refresh"|undefined} kind
             * @memberof fanout.v1.ClientFrame
             * @instance
             */
            Object.defineProperty(ClientFrame.prototype, "kind", {
                get: $util.oneOfGetter($oneOfFields = ["hello", "subscribe", "unsubscribe", "ack", "ping", "pong", "refresh"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new ClientFrame instance using the specified properties.
             * @function create
             * @memberof fanout.v1.ClientFrame
             * @static
             * @param {fanout.v1.IClientFrame=} [properties] Properties to set
             * @returns {fanout.v1.ClientFrame} ClientFrame instance
             */
            ClientFrame.create = function create(properties) {
                return new ClientFrame(properties);
            };

            /**
             * Encodes the specified ClientFrame message. Does not implicitly {@link fanout.v1.ClientFrame.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.ClientFrame
             * @static
             * @param {fanout.v1.IClientFrame} message ClientFrame message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ClientFrame.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.hello != null && Object.hasOwnProperty.call(message, "hello"))
                    $root.fanout.v1.Hello.encode(message.hello, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.subscribe != null && Object.hasOwnProperty.call(message, "subscribe"))
                    $root.fanout.v1.Subscribe.encode(message.subscribe, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.unsubscribe != null && Object.hasOwnProperty.call(message, "unsubscribe"))
                    $root.fanout.v1.Unsubscribe.encode(message.unsubscribe, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.ack != null && Object.hasOwnProperty.call(message, "ack"))
                    $root.fanout.v1.Ack.encode(message.ack, writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.ping != null && Object.hasOwnProperty.call(message, "ping"))
                    $root.fanout.v1.Ping.encode(message.ping, writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                if (message.pong != null && Object.hasOwnProperty.call(message, "pong"))
                    $root.fanout.v1.Pong.encode(message.pong, writer.uint32(/* id 6, wireType 2 =*/50).fork(), q + 1).ldelim();
                if (message.refresh != null && Object.hasOwnProperty.call(message, "refresh"))
                    $root.fanout.v1.Refresh.encode(message.refresh, writer.uint32(/* id 7, wireType 2 =*/58).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a ClientFrame message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.ClientFrame
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.ClientFrame} ClientFrame
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ClientFrame.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.ClientFrame();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.hello = $root.fanout.v1.Hello.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.subscribe = $root.fanout.v1.Subscribe.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.unsubscribe = $root.fanout.v1.Unsubscribe.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.ack = $root.fanout.v1.Ack.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 5: {
                            message.ping = $root.fanout.v1.Ping.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 6: {
                            message.pong = $root.fanout.v1.Pong.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 7: {
                            message.refresh = $root.fanout.v1.Refresh.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ClientFrame;
        })();

        v1.Hello = (function() {

            /**
             * Properties of a Hello.
             * @memberof fanout.v1
             * @interface IHello
             * @property {string|null} [token] Hello token
             * @property {string|null} [sessionId] Hello sessionId
             * @property {Array.<fanout.v1.IChannelPositions>|null} [delivered] Hello delivered
             * @property {string|null} [clientName] Hello clientName
             * @property {string|null} [clientVersion] Hello clientVersion
             * @property {number|null} [protocolVersion] Hello protocolVersion
             */

            /**
             * Constructs a new Hello.
             * @memberof fanout.v1
             * @classdesc Represents a Hello.
             * @implements IHello
             * @constructor
             * @param {fanout.v1.IHello=} [properties] Properties to set
             */
            function Hello(properties) {
                this.delivered = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Hello token.
             * @member {string} token
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.token = "";

            /**
             * Hello sessionId.
             * @member {string} sessionId
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.sessionId = "";

            /**
             * Hello delivered.
             * @member {Array.<fanout.v1.IChannelPositions>} delivered
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.delivered = $util.emptyArray;

            /**
             * Hello clientName.
             * @member {string} clientName
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.clientName = "";

            /**
             * Hello clientVersion.
             * @member {string} clientVersion
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.clientVersion = "";

            /**
             * Hello protocolVersion.
             * @member {number} protocolVersion
             * @memberof fanout.v1.Hello
             * @instance
             */
            Hello.prototype.protocolVersion = 0;

            /**
             * Creates a new Hello instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Hello
             * @static
             * @param {fanout.v1.IHello=} [properties] Properties to set
             * @returns {fanout.v1.Hello} Hello instance
             */
            Hello.create = function create(properties) {
                return new Hello(properties);
            };

            /**
             * Encodes the specified Hello message. Does not implicitly {@link fanout.v1.Hello.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Hello
             * @static
             * @param {fanout.v1.IHello} message Hello message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Hello.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.token != null && Object.hasOwnProperty.call(message, "token"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.token);
                if (message.sessionId != null && Object.hasOwnProperty.call(message, "sessionId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.sessionId);
                if (message.delivered != null && message.delivered.length)
                    for (let i = 0; i < message.delivered.length; ++i)
                        $root.fanout.v1.ChannelPositions.encode(message.delivered[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.clientName != null && Object.hasOwnProperty.call(message, "clientName"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.clientName);
                if (message.clientVersion != null && Object.hasOwnProperty.call(message, "clientVersion"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.clientVersion);
                if (message.protocolVersion != null && Object.hasOwnProperty.call(message, "protocolVersion"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.protocolVersion);
                return writer;
            };

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Hello
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Hello} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Hello.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Hello();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.token = reader.string();
                            break;
                        }
                    case 2: {
                            message.sessionId = reader.string();
                            break;
                        }
                    case 3: {
                            if (!(message.delivered && message.delivered.length))
                                message.delivered = [];
                            message.delivered.push($root.fanout.v1.ChannelPositions.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 4: {
                            message.clientName = reader.string();
                            break;
                        }
                    case 5: {
                            message.clientVersion = reader.string();
                            break;
                        }
                    case 6: {
                            message.protocolVersion = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Hello;
        })();

        /**
         * Start enum.
         * @name fanout.v1.Start
         * @enum {number}
         * @property {number} START_LATEST=0 START_LATEST value
         * @property {number} START_EARLIEST=1 START_EARLIEST value
         * @property {number} START_AFTER=2 START_AFTER value
         * @property {number} START_TIMESTAMP=3 START_TIMESTAMP value
         */
        v1.Start = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "START_LATEST"] = 0;
            values[valuesById[1] = "START_EARLIEST"] = 1;
            values[valuesById[2] = "START_AFTER"] = 2;
            values[valuesById[3] = "START_TIMESTAMP"] = 3;
            return values;
        })();

        v1.Subscribe = (function() {

            /**
             * Properties of a Subscribe.
             * @memberof fanout.v1
             * @interface ISubscribe
             * @property {number|null} [requestId] Subscribe requestId
             * @property {string|null} [channel] Subscribe channel
             * @property {fanout.v1.Start|null} [start] Subscribe start
             * @property {Array.<fanout.v1.IPosition>|null} [after] Subscribe after
             * @property {number|Long|null} [timestampMs] Subscribe timestampMs
             */

            /**
             * Constructs a new Subscribe.
             * @memberof fanout.v1
             * @classdesc Represents a Subscribe.
             * @implements ISubscribe
             * @constructor
             * @param {fanout.v1.ISubscribe=} [properties] Properties to set
             */
            function Subscribe(properties) {
                this.after = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Subscribe requestId.
             * @member {number} requestId
             * @memberof fanout.v1.Subscribe
             * @instance
             */
            Subscribe.prototype.requestId = 0;

            /**
             * Subscribe channel.
             * @member {string} channel
             * @memberof fanout.v1.Subscribe
             * @instance
             */
            Subscribe.prototype.channel = "";

            /**
             * Subscribe start.
             * @member {fanout.v1.Start} start
             * @memberof fanout.v1.Subscribe
             * @instance
             */
            Subscribe.prototype.start = 0;

            /**
             * Subscribe after.
             * @member {Array.<fanout.v1.IPosition>} after
             * @memberof fanout.v1.Subscribe
             * @instance
             */
            Subscribe.prototype.after = $util.emptyArray;

            /**
             * Subscribe timestampMs.
             * @member {number|Long} timestampMs
             * @memberof fanout.v1.Subscribe
             * @instance
             */
            Subscribe.prototype.timestampMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Creates a new Subscribe instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Subscribe
             * @static
             * @param {fanout.v1.ISubscribe=} [properties] Properties to set
             * @returns {fanout.v1.Subscribe} Subscribe instance
             */
            Subscribe.create = function create(properties) {
                return new Subscribe(properties);
            };

            /**
             * Encodes the specified Subscribe message. Does not implicitly {@link fanout.v1.Subscribe.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Subscribe
             * @static
             * @param {fanout.v1.ISubscribe} message Subscribe message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Subscribe.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.requestId);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.channel);
                if (message.start != null && Object.hasOwnProperty.call(message, "start"))
                    writer.uint32(/* id 3, wireType 0 =*/24).int32(message.start);
                if (message.after != null && message.after.length)
                    for (let i = 0; i < message.after.length; ++i)
                        $root.fanout.v1.Position.encode(message.after[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.timestampMs != null && Object.hasOwnProperty.call(message, "timestampMs"))
                    writer.uint32(/* id 5, wireType 0 =*/40).int64(message.timestampMs);
                return writer;
            };

            /**
             * Decodes a Subscribe message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Subscribe
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Subscribe} Subscribe
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Subscribe.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Subscribe();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.channel = reader.string();
                            break;
                        }
                    case 3: {
                            message.start = reader.int32();
                            break;
                        }
                    case 4: {
                            if (!(message.after && message.after.length))
                                message.after = [];
                            message.after.push($root.fanout.v1.Position.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 5: {
                            message.timestampMs = reader.int64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Subscribe;
        })();

        v1.Unsubscribe = (function() {

            /**
             * Properties of an Unsubscribe.
             * @memberof fanout.v1
             * @interface IUnsubscribe
             * @property {number|null} [requestId] Unsubscribe requestId
             * @property {string|null} [channel] Unsubscribe channel
             */

            /**
             * Constructs a new Unsubscribe.
             * @memberof fanout.v1
             * @classdesc Represents an Unsubscribe.
             * @implements IUnsubscribe
             * @constructor
             * @param {fanout.v1.IUnsubscribe=} [properties] Properties to set
             */
            function Unsubscribe(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Unsubscribe requestId.
             * @member {number} requestId
             * @memberof fanout.v1.Unsubscribe
             * @instance
             */
            Unsubscribe.prototype.requestId = 0;

            /**
             * Unsubscribe channel.
             * @member {string} channel
             * @memberof fanout.v1.Unsubscribe
             * @instance
             */
            Unsubscribe.prototype.channel = "";

            /**
             * Creates a new Unsubscribe instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Unsubscribe
             * @static
             * @param {fanout.v1.IUnsubscribe=} [properties] Properties to set
             * @returns {fanout.v1.Unsubscribe} Unsubscribe instance
             */
            Unsubscribe.create = function create(properties) {
                return new Unsubscribe(properties);
            };

            /**
             * Encodes the specified Unsubscribe message. Does not implicitly {@link fanout.v1.Unsubscribe.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Unsubscribe
             * @static
             * @param {fanout.v1.IUnsubscribe} message Unsubscribe message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Unsubscribe.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.requestId);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.channel);
                return writer;
            };

            /**
             * Decodes an Unsubscribe message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Unsubscribe
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Unsubscribe} Unsubscribe
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Unsubscribe.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Unsubscribe();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.channel = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Unsubscribe;
        })();

        v1.Ack = (function() {

            /**
             * Properties of an Ack.
             * @memberof fanout.v1
             * @interface IAck
             * @property {string|null} [channel] Ack channel
             * @property {Array.<fanout.v1.IPosition>|null} [positions] Ack positions
             */

            /**
             * Constructs a new Ack.
             * @memberof fanout.v1
             * @classdesc Represents an Ack.
             * @implements IAck
             * @constructor
             * @param {fanout.v1.IAck=} [properties] Properties to set
             */
            function Ack(properties) {
                this.positions = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Ack channel.
             * @member {string} channel
             * @memberof fanout.v1.Ack
             * @instance
             */
            Ack.prototype.channel = "";

            /**
             * Ack positions.
             * @member {Array.<fanout.v1.IPosition>} positions
             * @memberof fanout.v1.Ack
             * @instance
             */
            Ack.prototype.positions = $util.emptyArray;

            /**
             * Creates a new Ack instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Ack
             * @static
             * @param {fanout.v1.IAck=} [properties] Properties to set
             * @returns {fanout.v1.Ack} Ack instance
             */
            Ack.create = function create(properties) {
                return new Ack(properties);
            };

            /**
             * Encodes the specified Ack message. Does not implicitly {@link fanout.v1.Ack.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Ack
             * @static
             * @param {fanout.v1.IAck} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.channel);
                if (message.positions != null && message.positions.length)
                    for (let i = 0; i < message.positions.length; ++i)
                        $root.fanout.v1.Position.encode(message.positions[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Ack} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Ack();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.channel = reader.string();
                            break;
                        }
                    case 2: {
                            if (!(message.positions && message.positions.length))
                                message.positions = [];
                            message.positions.push($root.fanout.v1.Position.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Ack;
        })();

        v1.Ping = (function() {

            /**
             * Properties of a Ping.
             * @memberof fanout.v1
             * @interface IPing
             */

            /**
             * Constructs a new Ping.
             * @memberof fanout.v1
             * @classdesc Represents a Ping.
             * @implements IPing
             * @constructor
             * @param {fanout.v1.IPing=} [properties] Properties to set
             */
            function Ping(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Creates a new Ping instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Ping
             * @static
             * @param {fanout.v1.IPing=} [properties] Properties to set
             * @returns {fanout.v1.Ping} Ping instance
             */
            Ping.create = function create(properties) {
                return new Ping(properties);
            };

            /**
             * Encodes the specified Ping message. Does not implicitly {@link fanout.v1.Ping.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Ping
             * @static
             * @param {fanout.v1.IPing} message Ping message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ping.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                return writer;
            };

            /**
             * Decodes a Ping message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Ping
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Ping} Ping
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ping.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Ping();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Ping;
        })();

        v1.Pong = (function() {

            /**
             * Properties of a Pong.
             * @memberof fanout.v1
             * @interface IPong
             */

            /**
             * Constructs a new Pong.
             * @memberof fanout.v1
             * @classdesc Represents a Pong.
             * @implements IPong
             * @constructor
             * @param {fanout.v1.IPong=} [properties] Properties to set
             */
            function Pong(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Creates a new Pong instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Pong
             * @static
             * @param {fanout.v1.IPong=} [properties] Properties to set
             * @returns {fanout.v1.Pong} Pong instance
             */
            Pong.create = function create(properties) {
                return new Pong(properties);
            };

            /**
             * Encodes the specified Pong message. Does not implicitly {@link fanout.v1.Pong.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Pong
             * @static
             * @param {fanout.v1.IPong} message Pong message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Pong.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                return writer;
            };

            /**
             * Decodes a Pong message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Pong
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Pong} Pong
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Pong.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Pong();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Pong;
        })();

        v1.Refresh = (function() {

            /**
             * Properties of a Refresh.
             * @memberof fanout.v1
             * @interface IRefresh
             * @property {string|null} [token] Refresh token
             */

            /**
             * Constructs a new Refresh.
             * @memberof fanout.v1
             * @classdesc Represents a Refresh.
             * @implements IRefresh
             * @constructor
             * @param {fanout.v1.IRefresh=} [properties] Properties to set
             */
            function Refresh(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Refresh token.
             * @member {string} token
             * @memberof fanout.v1.Refresh
             * @instance
             */
            Refresh.prototype.token = "";

            /**
             * Creates a new Refresh instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Refresh
             * @static
             * @param {fanout.v1.IRefresh=} [properties] Properties to set
             * @returns {fanout.v1.Refresh} Refresh instance
             */
            Refresh.create = function create(properties) {
                return new Refresh(properties);
            };

            /**
             * Encodes the specified Refresh message. Does not implicitly {@link fanout.v1.Refresh.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Refresh
             * @static
             * @param {fanout.v1.IRefresh} message Refresh message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Refresh.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.token != null && Object.hasOwnProperty.call(message, "token"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.token);
                return writer;
            };

            /**
             * Decodes a Refresh message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Refresh
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Refresh} Refresh
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Refresh.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Refresh();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.token = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Refresh;
        })();

        v1.ServerFrame = (function() {

            /**
             * Properties of a ServerFrame.
             * @memberof fanout.v1
             * @interface IServerFrame
             * @property {fanout.v1.IPublication|null} [publication] ServerFrame publication
             * @property {fanout.v1.IWelcome|null} [welcome] ServerFrame welcome
             * @property {fanout.v1.ISubscribed|null} [subscribed] ServerFrame subscribed
             * @property {fanout.v1.IUnsubscribed|null} [unsubscribed] ServerFrame unsubscribed
             * @property {fanout.v1.IContinuityLost|null} [continuityLost] ServerFrame continuityLost
             * @property {fanout.v1.IError|null} [error] ServerFrame error
             * @property {fanout.v1.IPing|null} [ping] ServerFrame ping
             * @property {fanout.v1.IPong|null} [pong] ServerFrame pong
             * @property {fanout.v1.IGoAway|null} [goAway] ServerFrame goAway
             */

            /**
             * Constructs a new ServerFrame.
             * @memberof fanout.v1
             * @classdesc Represents a ServerFrame.
             * @implements IServerFrame
             * @constructor
             * @param {fanout.v1.IServerFrame=} [properties] Properties to set
             */
            function ServerFrame(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ServerFrame publication.
             * @member {fanout.v1.IPublication|null|undefined} publication
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.publication = null;

            /**
             * ServerFrame welcome.
             * @member {fanout.v1.IWelcome|null|undefined} welcome
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.welcome = null;

            /**
             * ServerFrame subscribed.
             * @member {fanout.v1.ISubscribed|null|undefined} subscribed
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.subscribed = null;

            /**
             * ServerFrame unsubscribed.
             * @member {fanout.v1.IUnsubscribed|null|undefined} unsubscribed
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.unsubscribed = null;

            /**
             * ServerFrame continuityLost.
             * @member {fanout.v1.IContinuityLost|null|undefined} continuityLost
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.continuityLost = null;

            /**
             * ServerFrame error.
             * @member {fanout.v1.IError|null|undefined} error
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.error = null;

            /**
             * ServerFrame ping.
             * @member {fanout.v1.IPing|null|undefined} ping
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.ping = null;

            /**
             * ServerFrame pong.
             * @member {fanout.v1.IPong|null|undefined} pong
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.pong = null;

            /**
             * ServerFrame goAway.
             * @member {fanout.v1.IGoAway|null|undefined} goAway
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            ServerFrame.prototype.goAway = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * ServerFrame kind.
             * @member {"publication"|"welcome"|"subscribed"|"unsubscribed"|"continuityLost"|"error"|"ping"|"pong"|"goAway"|undefined} kind
             * @memberof fanout.v1.ServerFrame
             * @instance
             */
            Object.defineProperty(ServerFrame.prototype, "kind", {
                get: $util.oneOfGetter($oneOfFields = ["publication", "welcome", "subscribed", "unsubscribed", "continuityLost", "error", "ping", "pong", "goAway"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new ServerFrame instance using the specified properties.
             * @function create
             * @memberof fanout.v1.ServerFrame
             * @static
             * @param {fanout.v1.IServerFrame=} [properties] Properties to set
             * @returns {fanout.v1.ServerFrame} ServerFrame instance
             */
            ServerFrame.create = function create(properties) {
                return new ServerFrame(properties);
            };

            /**
             * Encodes the specified ServerFrame message. Does not implicitly {@link fanout.v1.ServerFrame.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.ServerFrame
             * @static
             * @param {fanout.v1.IServerFrame} message ServerFrame message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ServerFrame.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.publication != null && Object.hasOwnProperty.call(message, "publication"))
                    $root.fanout.v1.Publication.encode(message.publication, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.welcome != null && Object.hasOwnProperty.call(message, "welcome"))
                    $root.fanout.v1.Welcome.encode(message.welcome, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.subscribed != null && Object.hasOwnProperty.call(message, "subscribed"))
                    $root.fanout.v1.Subscribed.encode(message.subscribed, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.unsubscribed != null && Object.hasOwnProperty.call(message, "unsubscribed"))
                    $root.fanout.v1.Unsubscribed.encode(message.unsubscribed, writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.continuityLost != null && Object.hasOwnProperty.call(message, "continuityLost"))
                    $root.fanout.v1.ContinuityLost.encode(message.continuityLost, writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                if (message.error != null && Object.hasOwnProperty.call(message, "error"))
                    $root.fanout.v1.Error.encode(message.error, writer.uint32(/* id 6, wireType 2 =*/50).fork(), q + 1).ldelim();
                if (message.ping != null && Object.hasOwnProperty.call(message, "ping"))
                    $root.fanout.v1.Ping.encode(message.ping, writer.uint32(/* id 7, wireType 2 =*/58).fork(), q + 1).ldelim();
                if (message.pong != null && Object.hasOwnProperty.call(message, "pong"))
                    $root.fanout.v1.Pong.encode(message.pong, writer.uint32(/* id 8, wireType 2 =*/66).fork(), q + 1).ldelim();
                if (message.goAway != null && Object.hasOwnProperty.call(message, "goAway"))
                    $root.fanout.v1.GoAway.encode(message.goAway, writer.uint32(/* id 9, wireType 2 =*/74).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a ServerFrame message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.ServerFrame
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.ServerFrame} ServerFrame
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ServerFrame.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.ServerFrame();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.publication = $root.fanout.v1.Publication.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.welcome = $root.fanout.v1.Welcome.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.subscribed = $root.fanout.v1.Subscribed.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.unsubscribed = $root.fanout.v1.Unsubscribed.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 5: {
                            message.continuityLost = $root.fanout.v1.ContinuityLost.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 6: {
                            message.error = $root.fanout.v1.Error.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 7: {
                            message.ping = $root.fanout.v1.Ping.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 8: {
                            message.pong = $root.fanout.v1.Pong.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 9: {
                            message.goAway = $root.fanout.v1.GoAway.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ServerFrame;
        })();

        v1.Welcome = (function() {

            /**
             * Properties of a Welcome.
             * @memberof fanout.v1
             * @interface IWelcome
             * @property {string|null} [sessionId] Welcome sessionId
             * @property {boolean|null} [resumed] Welcome resumed
             * @property {Array.<fanout.v1.IChannelPositions>|null} [subscriptions] Welcome subscriptions
             * @property {number|null} [heartbeatIntervalMs] Welcome heartbeatIntervalMs
             * @property {number|null} [maxFrameBytes] Welcome maxFrameBytes
             * @property {string|null} [nodeId] Welcome nodeId
             */

            /**
             * Constructs a new Welcome.
             * @memberof fanout.v1
             * @classdesc Represents a Welcome.
             * @implements IWelcome
             * @constructor
             * @param {fanout.v1.IWelcome=} [properties] Properties to set
             */
            function Welcome(properties) {
                this.subscriptions = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Welcome sessionId.
             * @member {string} sessionId
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.sessionId = "";

            /**
             * Welcome resumed.
             * @member {boolean} resumed
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.resumed = false;

            /**
             * Welcome subscriptions.
             * @member {Array.<fanout.v1.IChannelPositions>} subscriptions
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.subscriptions = $util.emptyArray;

            /**
             * Welcome heartbeatIntervalMs.
             * @member {number} heartbeatIntervalMs
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.heartbeatIntervalMs = 0;

            /**
             * Welcome maxFrameBytes.
             * @member {number} maxFrameBytes
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.maxFrameBytes = 0;

            /**
             * Welcome nodeId.
             * @member {string} nodeId
             * @memberof fanout.v1.Welcome
             * @instance
             */
            Welcome.prototype.nodeId = "";

            /**
             * Creates a new Welcome instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Welcome
             * @static
             * @param {fanout.v1.IWelcome=} [properties] Properties to set
             * @returns {fanout.v1.Welcome} Welcome instance
             */
            Welcome.create = function create(properties) {
                return new Welcome(properties);
            };

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link fanout.v1.Welcome.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Welcome
             * @static
             * @param {fanout.v1.IWelcome} message Welcome message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Welcome.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.sessionId != null && Object.hasOwnProperty.call(message, "sessionId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.sessionId);
                if (message.resumed != null && Object.hasOwnProperty.call(message, "resumed"))
                    writer.uint32(/* id 2, wireType 0 =*/16).bool(message.resumed);
                if (message.subscriptions != null && message.subscriptions.length)
                    for (let i = 0; i < message.subscriptions.length; ++i)
                        $root.fanout.v1.ChannelPositions.encode(message.subscriptions[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.heartbeatIntervalMs != null && Object.hasOwnProperty.call(message, "heartbeatIntervalMs"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.heartbeatIntervalMs);
                if (message.maxFrameBytes != null && Object.hasOwnProperty.call(message, "maxFrameBytes"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.maxFrameBytes);
                if (message.nodeId != null && Object.hasOwnProperty.call(message, "nodeId"))
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.nodeId);
                return writer;
            };

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Welcome
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Welcome} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Welcome.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Welcome();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.sessionId = reader.string();
                            break;
                        }
                    case 2: {
                            message.resumed = reader.bool();
                            break;
                        }
                    case 3: {
                            if (!(message.subscriptions && message.subscriptions.length))
                                message.subscriptions = [];
                            message.subscriptions.push($root.fanout.v1.ChannelPositions.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 4: {
                            message.heartbeatIntervalMs = reader.uint32();
                            break;
                        }
                    case 5: {
                            message.maxFrameBytes = reader.uint32();
                            break;
                        }
                    case 6: {
                            message.nodeId = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Welcome;
        })();

        v1.Subscribed = (function() {

            /**
             * Properties of a Subscribed.
             * @memberof fanout.v1
             * @interface ISubscribed
             * @property {number|null} [requestId] Subscribed requestId
             * @property {string|null} [channel] Subscribed channel
             * @property {Array.<fanout.v1.IPosition>|null} [positions] Subscribed positions
             * @property {boolean|null} [resumed] Subscribed resumed
             */

            /**
             * Constructs a new Subscribed.
             * @memberof fanout.v1
             * @classdesc Represents a Subscribed.
             * @implements ISubscribed
             * @constructor
             * @param {fanout.v1.ISubscribed=} [properties] Properties to set
             */
            function Subscribed(properties) {
                this.positions = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Subscribed requestId.
             * @member {number} requestId
             * @memberof fanout.v1.Subscribed
             * @instance
             */
            Subscribed.prototype.requestId = 0;

            /**
             * Subscribed channel.
             * @member {string} channel
             * @memberof fanout.v1.Subscribed
             * @instance
             */
            Subscribed.prototype.channel = "";

            /**
             * Subscribed positions.
             * @member {Array.<fanout.v1.IPosition>} positions
             * @memberof fanout.v1.Subscribed
             * @instance
             */
            Subscribed.prototype.positions = $util.emptyArray;

            /**
             * Subscribed resumed.
             * @member {boolean} resumed
             * @memberof fanout.v1.Subscribed
             * @instance
             */
            Subscribed.prototype.resumed = false;

            /**
             * Creates a new Subscribed instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Subscribed
             * @static
             * @param {fanout.v1.ISubscribed=} [properties] Properties to set
             * @returns {fanout.v1.Subscribed} Subscribed instance
             */
            Subscribed.create = function create(properties) {
                return new Subscribed(properties);
            };

            /**
             * Encodes the specified Subscribed message. Does not implicitly {@link fanout.v1.Subscribed.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Subscribed
             * @static
             * @param {fanout.v1.ISubscribed} message Subscribed message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Subscribed.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.requestId);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.channel);
                if (message.positions != null && message.positions.length)
                    for (let i = 0; i < message.positions.length; ++i)
                        $root.fanout.v1.Position.encode(message.positions[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.resumed != null && Object.hasOwnProperty.call(message, "resumed"))
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.resumed);
                return writer;
            };

            /**
             * Decodes a Subscribed message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Subscribed
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Subscribed} Subscribed
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Subscribed.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Subscribed();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.channel = reader.string();
                            break;
                        }
                    case 3: {
                            if (!(message.positions && message.positions.length))
                                message.positions = [];
                            message.positions.push($root.fanout.v1.Position.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 4: {
                            message.resumed = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Subscribed;
        })();

        v1.Unsubscribed = (function() {

            /**
             * Properties of an Unsubscribed.
             * @memberof fanout.v1
             * @interface IUnsubscribed
             * @property {number|null} [requestId] Unsubscribed requestId
             * @property {string|null} [channel] Unsubscribed channel
             */

            /**
             * Constructs a new Unsubscribed.
             * @memberof fanout.v1
             * @classdesc Represents an Unsubscribed.
             * @implements IUnsubscribed
             * @constructor
             * @param {fanout.v1.IUnsubscribed=} [properties] Properties to set
             */
            function Unsubscribed(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Unsubscribed requestId.
             * @member {number} requestId
             * @memberof fanout.v1.Unsubscribed
             * @instance
             */
            Unsubscribed.prototype.requestId = 0;

            /**
             * Unsubscribed channel.
             * @member {string} channel
             * @memberof fanout.v1.Unsubscribed
             * @instance
             */
            Unsubscribed.prototype.channel = "";

            /**
             * Creates a new Unsubscribed instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Unsubscribed
             * @static
             * @param {fanout.v1.IUnsubscribed=} [properties] Properties to set
             * @returns {fanout.v1.Unsubscribed} Unsubscribed instance
             */
            Unsubscribed.create = function create(properties) {
                return new Unsubscribed(properties);
            };

            /**
             * Encodes the specified Unsubscribed message. Does not implicitly {@link fanout.v1.Unsubscribed.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Unsubscribed
             * @static
             * @param {fanout.v1.IUnsubscribed} message Unsubscribed message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Unsubscribed.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.requestId);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.channel);
                return writer;
            };

            /**
             * Decodes an Unsubscribed message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Unsubscribed
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Unsubscribed} Unsubscribed
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Unsubscribed.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Unsubscribed();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.channel = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Unsubscribed;
        })();

        v1.Publication = (function() {

            /**
             * Properties of a Publication.
             * @memberof fanout.v1
             * @interface IPublication
             * @property {string|null} [topic] Publication topic
             * @property {number|null} [partition] Publication partition
             * @property {number|Long|null} [offset] Publication offset
             * @property {Uint8Array|null} [key] Publication key
             * @property {Array.<fanout.v1.IHeader>|null} [headers] Publication headers
             * @property {number|Long|null} [timestampMs] Publication timestampMs
             * @property {Uint8Array|null} [payload] Publication payload
             * @property {string|null} [channel] Publication channel
             */

            /**
             * Constructs a new Publication.
             * @memberof fanout.v1
             * @classdesc Represents a Publication.
             * @implements IPublication
             * @constructor
             * @param {fanout.v1.IPublication=} [properties] Properties to set
             */
            function Publication(properties) {
                this.headers = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Publication topic.
             * @member {string} topic
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.topic = "";

            /**
             * Publication partition.
             * @member {number} partition
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.partition = 0;

            /**
             * Publication offset.
             * @member {number|Long} offset
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.offset = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Publication key.
             * @member {Uint8Array|null|undefined} key
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.key = null;

            /**
             * Publication headers.
             * @member {Array.<fanout.v1.IHeader>} headers
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.headers = $util.emptyArray;

            /**
             * Publication timestampMs.
             * @member {number|Long} timestampMs
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.timestampMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Publication payload.
             * @member {Uint8Array} payload
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.payload = $util.newBuffer([]);

            /**
             * Publication channel.
             * @member {string} channel
             * @memberof fanout.v1.Publication
             * @instance
             */
            Publication.prototype.channel = "";

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(Publication.prototype, "_key", {
                get: $util.oneOfGetter($oneOfFields = ["key"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Publication instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Publication
             * @static
             * @param {fanout.v1.IPublication=} [properties] Properties to set
             * @returns {fanout.v1.Publication} Publication instance
             */
            Publication.create = function create(properties) {
                return new Publication(properties);
            };

            /**
             * Encodes the specified Publication message. Does not implicitly {@link fanout.v1.Publication.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Publication
             * @static
             * @param {fanout.v1.IPublication} message Publication message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Publication.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.topic != null && Object.hasOwnProperty.call(message, "topic"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.topic);
                if (message.partition != null && Object.hasOwnProperty.call(message, "partition"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.partition);
                if (message.offset != null && Object.hasOwnProperty.call(message, "offset"))
                    writer.uint32(/* id 3, wireType 0 =*/24).int64(message.offset);
                if (message.key != null && Object.hasOwnProperty.call(message, "key"))
                    writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.key);
                if (message.headers != null && message.headers.length)
                    for (let i = 0; i < message.headers.length; ++i)
                        $root.fanout.v1.Header.encode(message.headers[i], writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                if (message.timestampMs != null && Object.hasOwnProperty.call(message, "timestampMs"))
                    writer.uint32(/* id 6, wireType 0 =*/48).int64(message.timestampMs);
                if (message.payload != null && Object.hasOwnProperty.call(message, "payload"))
                    writer.uint32(/* id 7, wireType 2 =*/58).bytes(message.payload);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.channel);
                return writer;
            };

            /**
             * Decodes a Publication message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Publication
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Publication} Publication
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Publication.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Publication();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.topic = reader.string();
                            break;
                        }
                    case 2: {
                            message.partition = reader.int32();
                            break;
                        }
                    case 3: {
                            message.offset = reader.int64();
                            break;
                        }
                    case 4: {
                            message.key = reader.bytes();
                            break;
                        }
                    case 5: {
                            if (!(message.headers && message.headers.length))
                                message.headers = [];
                            message.headers.push($root.fanout.v1.Header.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 6: {
                            message.timestampMs = reader.int64();
                            break;
                        }
                    case 7: {
                            message.payload = reader.bytes();
                            break;
                        }
                    case 8: {
                            message.channel = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Publication;
        })();

        /**
         * ContinuityReason enum.
         * @name fanout.v1.ContinuityReason
         * @enum {number}
         * @property {number} CONTINUITY_REASON_UNSPECIFIED=0 CONTINUITY_REASON_UNSPECIFIED value
         * @property {number} CONTINUITY_REASON_DELETED=1 CONTINUITY_REASON_DELETED value
         * @property {number} CONTINUITY_REASON_AHEAD_OF_LOG=2 CONTINUITY_REASON_AHEAD_OF_LOG value
         * @property {number} CONTINUITY_REASON_TOPIC_RECREATED=3 CONTINUITY_REASON_TOPIC_RECREATED value
         */
        v1.ContinuityReason = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "CONTINUITY_REASON_UNSPECIFIED"] = 0;
            values[valuesById[1] = "CONTINUITY_REASON_DELETED"] = 1;
            values[valuesById[2] = "CONTINUITY_REASON_AHEAD_OF_LOG"] = 2;
            values[valuesById[3] = "CONTINUITY_REASON_TOPIC_RECREATED"] = 3;
            return values;
        })();

        v1.ContinuityLost = (function() {

            /**
             * Properties of a ContinuityLost.
             * @memberof fanout.v1
             * @interface IContinuityLost
             * @property {string|null} [channel] ContinuityLost channel
             * @property {number|null} [partition] ContinuityLost partition
             * @property {number|Long|null} [requestedOffset] ContinuityLost requestedOffset
             * @property {number|Long|null} [availableOffset] ContinuityLost availableOffset
             * @property {fanout.v1.ContinuityReason|null} [reason] ContinuityLost reason
             */

            /**
             * Constructs a new ContinuityLost.
             * @memberof fanout.v1
             * @classdesc Represents a ContinuityLost.
             * @implements IContinuityLost
             * @constructor
             * @param {fanout.v1.IContinuityLost=} [properties] Properties to set
             */
            function ContinuityLost(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ContinuityLost channel.
             * @member {string} channel
             * @memberof fanout.v1.ContinuityLost
             * @instance
             */
            ContinuityLost.prototype.channel = "";

            /**
             * ContinuityLost partition.
             * @member {number} partition
             * @memberof fanout.v1.ContinuityLost
             * @instance
             */
            ContinuityLost.prototype.partition = 0;

            /**
             * ContinuityLost requestedOffset.
             * @member {number|Long} requestedOffset
             * @memberof fanout.v1.ContinuityLost
             * @instance
             */
            ContinuityLost.prototype.requestedOffset = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ContinuityLost availableOffset.
             * @member {number|Long} availableOffset
             * @memberof fanout.v1.ContinuityLost
             * @instance
             */
            ContinuityLost.prototype.availableOffset = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ContinuityLost reason.
             * @member {fanout.v1.ContinuityReason} reason
             * @memberof fanout.v1.ContinuityLost
             * @instance
             */
            ContinuityLost.prototype.reason = 0;

            /**
             * Creates a new ContinuityLost instance using the specified properties.
             * @function create
             * @memberof fanout.v1.ContinuityLost
             * @static
             * @param {fanout.v1.IContinuityLost=} [properties] Properties to set
             * @returns {fanout.v1.ContinuityLost} ContinuityLost instance
             */
            ContinuityLost.create = function create(properties) {
                return new ContinuityLost(properties);
            };

            /**
             * Encodes the specified ContinuityLost message. Does not implicitly {@link fanout.v1.ContinuityLost.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.ContinuityLost
             * @static
             * @param {fanout.v1.IContinuityLost} message ContinuityLost message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ContinuityLost.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.channel);
                if (message.partition != null && Object.hasOwnProperty.call(message, "partition"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.partition);
                if (message.requestedOffset != null && Object.hasOwnProperty.call(message, "requestedOffset"))
                    writer.uint32(/* id 3, wireType 0 =*/24).int64(message.requestedOffset);
                if (message.availableOffset != null && Object.hasOwnProperty.call(message, "availableOffset"))
                    writer.uint32(/* id 4, wireType 0 =*/32).int64(message.availableOffset);
                if (message.reason != null && Object.hasOwnProperty.call(message, "reason"))
                    writer.uint32(/* id 5, wireType 0 =*/40).int32(message.reason);
                return writer;
            };

            /**
             * Decodes a ContinuityLost message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.ContinuityLost
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.ContinuityLost} ContinuityLost
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ContinuityLost.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.ContinuityLost();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.channel = reader.string();
                            break;
                        }
                    case 2: {
                            message.partition = reader.int32();
                            break;
                        }
                    case 3: {
                            message.requestedOffset = reader.int64();
                            break;
                        }
                    case 4: {
                            message.availableOffset = reader.int64();
                            break;
                        }
                    case 5: {
                            message.reason = reader.int32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ContinuityLost;
        })();

        v1.Error = (function() {

            /**
             * Properties of an Error.
             * @memberof fanout.v1
             * @interface IError
             * @property {fanout.v1.ErrorCode|null} [code] Error code
             * @property {string|null} [message] Error message
             * @property {number|null} [requestId] Error requestId
             * @property {string|null} [channel] Error channel
             * @property {boolean|null} [retriable] Error retriable
             */

            /**
             * Constructs a new Error.
             * @memberof fanout.v1
             * @classdesc Represents an Error.
             * @implements IError
             * @constructor
             * @param {fanout.v1.IError=} [properties] Properties to set
             */
            function Error(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Error code.
             * @member {fanout.v1.ErrorCode} code
             * @memberof fanout.v1.Error
             * @instance
             */
            Error.prototype.code = 0;

            /**
             * Error message.
             * @member {string} message
             * @memberof fanout.v1.Error
             * @instance
             */
            Error.prototype.message = "";

            /**
             * Error requestId.
             * @member {number} requestId
             * @memberof fanout.v1.Error
             * @instance
             */
            Error.prototype.requestId = 0;

            /**
             * Error channel.
             * @member {string} channel
             * @memberof fanout.v1.Error
             * @instance
             */
            Error.prototype.channel = "";

            /**
             * Error retriable.
             * @member {boolean} retriable
             * @memberof fanout.v1.Error
             * @instance
             */
            Error.prototype.retriable = false;

            /**
             * Creates a new Error instance using the specified properties.
             * @function create
             * @memberof fanout.v1.Error
             * @static
             * @param {fanout.v1.IError=} [properties] Properties to set
             * @returns {fanout.v1.Error} Error instance
             */
            Error.create = function create(properties) {
                return new Error(properties);
            };

            /**
             * Encodes the specified Error message. Does not implicitly {@link fanout.v1.Error.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.Error
             * @static
             * @param {fanout.v1.IError} message Error message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Error.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.code != null && Object.hasOwnProperty.call(message, "code"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.code);
                if (message.message != null && Object.hasOwnProperty.call(message, "message"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.message);
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.requestId);
                if (message.channel != null && Object.hasOwnProperty.call(message, "channel"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.channel);
                if (message.retriable != null && Object.hasOwnProperty.call(message, "retriable"))
                    writer.uint32(/* id 5, wireType 0 =*/40).bool(message.retriable);
                return writer;
            };

            /**
             * Decodes an Error message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.Error
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.Error} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Error.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.Error();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.code = reader.int32();
                            break;
                        }
                    case 2: {
                            message.message = reader.string();
                            break;
                        }
                    case 3: {
                            message.requestId = reader.uint32();
                            break;
                        }
                    case 4: {
                            message.channel = reader.string();
                            break;
                        }
                    case 5: {
                            message.retriable = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Error;
        })();

        /**
         * GoAwayReason enum.
         * @name fanout.v1.GoAwayReason
         * @enum {number}
         * @property {number} GO_AWAY_REASON_UNSPECIFIED=0 GO_AWAY_REASON_UNSPECIFIED value
         * @property {number} GO_AWAY_REASON_SHUTDOWN=1 GO_AWAY_REASON_SHUTDOWN value
         * @property {number} GO_AWAY_REASON_SLOW_CONSUMER=2 GO_AWAY_REASON_SLOW_CONSUMER value
         */
        v1.GoAwayReason = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "GO_AWAY_REASON_UNSPECIFIED"] = 0;
            values[valuesById[1] = "GO_AWAY_REASON_SHUTDOWN"] = 1;
            values[valuesById[2] = "GO_AWAY_REASON_SLOW_CONSUMER"] = 2;
            return values;
        })();

        v1.GoAway = (function() {

            /**
             * Properties of a GoAway.
             * @memberof fanout.v1
             * @interface IGoAway
             * @property {fanout.v1.GoAwayReason|null} [reason] GoAway reason
             * @property {number|null} [reconnectAfterMs] GoAway reconnectAfterMs
             * @property {string|null} [message] GoAway message
             */

            /**
             * Constructs a new GoAway.
             * @memberof fanout.v1
             * @classdesc Represents a GoAway.
             * @implements IGoAway
             * @constructor
             * @param {fanout.v1.IGoAway=} [properties] Properties to set
             */
            function GoAway(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * GoAway reason.
             * @member {fanout.v1.GoAwayReason} reason
             * @memberof fanout.v1.GoAway
             * @instance
             */
            GoAway.prototype.reason = 0;

            /**
             * GoAway reconnectAfterMs.
             * @member {number} reconnectAfterMs
             * @memberof fanout.v1.GoAway
             * @instance
             */
            GoAway.prototype.reconnectAfterMs = 0;

            /**
             * GoAway message.
             * @member {string} message
             * @memberof fanout.v1.GoAway
             * @instance
             */
            GoAway.prototype.message = "";

            /**
             * Creates a new GoAway instance using the specified properties.
             * @function create
             * @memberof fanout.v1.GoAway
             * @static
             * @param {fanout.v1.IGoAway=} [properties] Properties to set
             * @returns {fanout.v1.GoAway} GoAway instance
             */
            GoAway.create = function create(properties) {
                return new GoAway(properties);
            };

            /**
             * Encodes the specified GoAway message. Does not implicitly {@link fanout.v1.GoAway.verify|verify} messages.
             * @function encode
             * @memberof fanout.v1.GoAway
             * @static
             * @param {fanout.v1.IGoAway} message GoAway message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            GoAway.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.reason != null && Object.hasOwnProperty.call(message, "reason"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.reason);
                if (message.reconnectAfterMs != null && Object.hasOwnProperty.call(message, "reconnectAfterMs"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.reconnectAfterMs);
                if (message.message != null && Object.hasOwnProperty.call(message, "message"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.message);
                return writer;
            };

            /**
             * Decodes a GoAway message from the specified reader or buffer.
             * @function decode
             * @memberof fanout.v1.GoAway
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {fanout.v1.GoAway} GoAway
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            GoAway.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.fanout.v1.GoAway();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.reason = reader.int32();
                            break;
                        }
                    case 2: {
                            message.reconnectAfterMs = reader.uint32();
                            break;
                        }
                    case 3: {
                            message.message = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return GoAway;
        })();

        return v1;
    })();

    return fanout;
})();

export { $root as default };
