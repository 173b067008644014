import * as $protobuf from "protobufjs";
import Long = require("long");
export namespace fanout {

    namespace v1 {

        enum ErrorCode {
            ERROR_CODE_UNSPECIFIED = 0,
            ERROR_CODE_MALFORMED_FRAME = 100,
            ERROR_CODE_FRAME_TOO_LARGE = 101,
            ERROR_CODE_UNKNOWN_FRAME = 102,
            ERROR_CODE_HELLO_REQUIRED = 103,
            ERROR_CODE_HELLO_REPEATED = 104,
            ERROR_CODE_UNSUPPORTED_VERSION = 105,
            ERROR_CODE_RATE_LIMITED = 106,
            ERROR_CODE_UNAUTHENTICATED = 200,
            ERROR_CODE_TOKEN_EXPIRED = 201,
            ERROR_CODE_FORBIDDEN = 202,
            ERROR_CODE_SESSION_FORBIDDEN = 203,
            ERROR_CODE_SUBJECT_MISMATCH = 204,
            ERROR_CODE_AUTH_UNAVAILABLE = 205,
            ERROR_CODE_INVALID_CHANNEL = 300,
            ERROR_CODE_UNKNOWN_TOPIC = 301,
            ERROR_CODE_TOO_MANY_SUBSCRIPTIONS = 302,
            ERROR_CODE_ALREADY_SUBSCRIBED = 303,
            ERROR_CODE_NOT_SUBSCRIBED = 304,
            ERROR_CODE_INVALID_POSITION = 305,
            ERROR_CODE_ACK_BEYOND_DELIVERED = 306,
            ERROR_CODE_SESSION_NOT_FOUND = 400,
            ERROR_CODE_STORE_UNAVAILABLE = 401,
            ERROR_CODE_SESSION_TAKEN_OVER = 402,
            ERROR_CODE_SLOW_CONSUMER = 500,
            ERROR_CODE_INTERNAL = 600,
            ERROR_CODE_SOURCE_UNAVAILABLE = 601,
            ERROR_CODE_SHUTTING_DOWN = 602
        }

        enum CloseCode {
            CLOSE_CODE_UNSPECIFIED = 0,
            CLOSE_CODE_NORMAL = 1000,
            CLOSE_CODE_GOING_AWAY = 1001,
            CLOSE_CODE_SHUTDOWN = 4000,
            CLOSE_CODE_HEARTBEAT_TIMEOUT = 4001,
            CLOSE_CODE_SLOW_CONSUMER = 4002,
            CLOSE_CODE_INTERNAL = 4003,
            CLOSE_CODE_STORE_UNAVAILABLE = 4004,
            CLOSE_CODE_SOURCE_UNAVAILABLE = 4005,
            CLOSE_CODE_RATE_LIMITED = 4006,
            CLOSE_CODE_AUTH_UNAVAILABLE = 4007,
            CLOSE_CODE_CONTROL_FRAME_DROPPED = 4008,
            CLOSE_CODE_SESSION_NOT_FOUND = 4100,
            CLOSE_CODE_SESSION_TAKEN_OVER = 4101,
            CLOSE_CODE_TOKEN_EXPIRED = 4200,
            CLOSE_CODE_PROTOCOL_ERROR = 4400,
            CLOSE_CODE_UNAUTHENTICATED = 4401,
            CLOSE_CODE_SESSION_FORBIDDEN = 4403,
            CLOSE_CODE_FRAME_TOO_LARGE = 4409,
            CLOSE_CODE_UNSUPPORTED_VERSION = 4410
        }

        interface IPosition {
            partition?: (number|null);
            offset?: (number|Long|null);
        }

        class Position implements IPosition {
            constructor(properties?: fanout.v1.IPosition);
            public partition: number;
            public offset: (number|Long);
            public static create(properties?: fanout.v1.IPosition): fanout.v1.Position;
            public static encode(message: fanout.v1.IPosition, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Position;
        }

        interface IChannelPositions {
            channel?: (string|null);
            positions?: (fanout.v1.IPosition[]|null);
        }

        class ChannelPositions implements IChannelPositions {
            constructor(properties?: fanout.v1.IChannelPositions);
            public channel: string;
            public positions: fanout.v1.IPosition[];
            public static create(properties?: fanout.v1.IChannelPositions): fanout.v1.ChannelPositions;
            public static encode(message: fanout.v1.IChannelPositions, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.ChannelPositions;
        }

        interface IHeader {
            key?: (string|null);
            value?: (Uint8Array|null);
        }

        class Header implements IHeader {
            constructor(properties?: fanout.v1.IHeader);
            public key: string;
            public value?: (Uint8Array|null);
            public static create(properties?: fanout.v1.IHeader): fanout.v1.Header;
            public static encode(message: fanout.v1.IHeader, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Header;
        }

        interface IClientFrame {
            hello?: (fanout.v1.IHello|null);
            subscribe?: (fanout.v1.ISubscribe|null);
            unsubscribe?: (fanout.v1.IUnsubscribe|null);
            ack?: (fanout.v1.IAck|null);
            ping?: (fanout.v1.IPing|null);
            pong?: (fanout.v1.IPong|null);
            refresh?: (fanout.v1.IRefresh|null);
        }

        class ClientFrame implements IClientFrame {
            constructor(properties?: fanout.v1.IClientFrame);
            public hello?: (fanout.v1.IHello|null);
            public subscribe?: (fanout.v1.ISubscribe|null);
            public unsubscribe?: (fanout.v1.IUnsubscribe|null);
            public ack?: (fanout.v1.IAck|null);
            public ping?: (fanout.v1.IPing|null);
            public pong?: (fanout.v1.IPong|null);
            public refresh?: (fanout.v1.IRefresh|null);
            public kind?: ("hello"|"subscribe"|"unsubscribe"|"ack"|"ping"|"pong"|"refresh");
            public static create(properties?: fanout.v1.IClientFrame): fanout.v1.ClientFrame;
            public static encode(message: fanout.v1.IClientFrame, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.ClientFrame;
        }

        interface IHello {
            token?: (string|null);
            sessionId?: (string|null);
            delivered?: (fanout.v1.IChannelPositions[]|null);
            clientName?: (string|null);
            clientVersion?: (string|null);
            protocolVersion?: (number|null);
        }

        class Hello implements IHello {
            constructor(properties?: fanout.v1.IHello);
            public token: string;
            public sessionId: string;
            public delivered: fanout.v1.IChannelPositions[];
            public clientName: string;
            public clientVersion: string;
            public protocolVersion: number;
            public static create(properties?: fanout.v1.IHello): fanout.v1.Hello;
            public static encode(message: fanout.v1.IHello, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Hello;
        }

        enum Start {
            START_LATEST = 0,
            START_EARLIEST = 1,
            START_AFTER = 2,
            START_TIMESTAMP = 3
        }

        interface ISubscribe {
            requestId?: (number|null);
            channel?: (string|null);
            start?: (fanout.v1.Start|null);
            after?: (fanout.v1.IPosition[]|null);
            timestampMs?: (number|Long|null);
        }

        class Subscribe implements ISubscribe {
            constructor(properties?: fanout.v1.ISubscribe);
            public requestId: number;
            public channel: string;
            public start: fanout.v1.Start;
            public after: fanout.v1.IPosition[];
            public timestampMs: (number|Long);
            public static create(properties?: fanout.v1.ISubscribe): fanout.v1.Subscribe;
            public static encode(message: fanout.v1.ISubscribe, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Subscribe;
        }

        interface IUnsubscribe {
            requestId?: (number|null);
            channel?: (string|null);
        }

        class Unsubscribe implements IUnsubscribe {
            constructor(properties?: fanout.v1.IUnsubscribe);
            public requestId: number;
            public channel: string;
            public static create(properties?: fanout.v1.IUnsubscribe): fanout.v1.Unsubscribe;
            public static encode(message: fanout.v1.IUnsubscribe, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Unsubscribe;
        }

        interface IAck {
            channel?: (string|null);
            positions?: (fanout.v1.IPosition[]|null);
        }

        class Ack implements IAck {
            constructor(properties?: fanout.v1.IAck);
            public channel: string;
            public positions: fanout.v1.IPosition[];
            public static create(properties?: fanout.v1.IAck): fanout.v1.Ack;
            public static encode(message: fanout.v1.IAck, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Ack;
        }

        interface IPing {
        }

        class Ping implements IPing {
            constructor(properties?: fanout.v1.IPing);
            public static create(properties?: fanout.v1.IPing): fanout.v1.Ping;
            public static encode(message: fanout.v1.IPing, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Ping;
        }

        interface IPong {
        }

        class Pong implements IPong {
            constructor(properties?: fanout.v1.IPong);
            public static create(properties?: fanout.v1.IPong): fanout.v1.Pong;
            public static encode(message: fanout.v1.IPong, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Pong;
        }

        interface IRefresh {
            token?: (string|null);
        }

        class Refresh implements IRefresh {
            constructor(properties?: fanout.v1.IRefresh);
            public token: string;
            public static create(properties?: fanout.v1.IRefresh): fanout.v1.Refresh;
            public static encode(message: fanout.v1.IRefresh, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Refresh;
        }

        interface IServerFrame {
            publication?: (fanout.v1.IPublication|null);
            welcome?: (fanout.v1.IWelcome|null);
            subscribed?: (fanout.v1.ISubscribed|null);
            unsubscribed?: (fanout.v1.IUnsubscribed|null);
            continuityLost?: (fanout.v1.IContinuityLost|null);
            error?: (fanout.v1.IError|null);
            ping?: (fanout.v1.IPing|null);
            pong?: (fanout.v1.IPong|null);
            goAway?: (fanout.v1.IGoAway|null);
        }

        class ServerFrame implements IServerFrame {
            constructor(properties?: fanout.v1.IServerFrame);
            public publication?: (fanout.v1.IPublication|null);
            public welcome?: (fanout.v1.IWelcome|null);
            public subscribed?: (fanout.v1.ISubscribed|null);
            public unsubscribed?: (fanout.v1.IUnsubscribed|null);
            public continuityLost?: (fanout.v1.IContinuityLost|null);
            public error?: (fanout.v1.IError|null);
            public ping?: (fanout.v1.IPing|null);
            public pong?: (fanout.v1.IPong|null);
            public goAway?: (fanout.v1.IGoAway|null);
            public kind?: ("publication"|"welcome"|"subscribed"|"unsubscribed"|"continuityLost"|"error"|"ping"|"pong"|"goAway");
            public static create(properties?: fanout.v1.IServerFrame): fanout.v1.ServerFrame;
            public static encode(message: fanout.v1.IServerFrame, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.ServerFrame;
        }

        interface IWelcome {
            sessionId?: (string|null);
            resumed?: (boolean|null);
            subscriptions?: (fanout.v1.IChannelPositions[]|null);
            heartbeatIntervalMs?: (number|null);
            maxFrameBytes?: (number|null);
            nodeId?: (string|null);
        }

        class Welcome implements IWelcome {
            constructor(properties?: fanout.v1.IWelcome);
            public sessionId: string;
            public resumed: boolean;
            public subscriptions: fanout.v1.IChannelPositions[];
            public heartbeatIntervalMs: number;
            public maxFrameBytes: number;
            public nodeId: string;
            public static create(properties?: fanout.v1.IWelcome): fanout.v1.Welcome;
            public static encode(message: fanout.v1.IWelcome, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Welcome;
        }

        interface ISubscribed {
            requestId?: (number|null);
            channel?: (string|null);
            positions?: (fanout.v1.IPosition[]|null);
            resumed?: (boolean|null);
        }

        class Subscribed implements ISubscribed {
            constructor(properties?: fanout.v1.ISubscribed);
            public requestId: number;
            public channel: string;
            public positions: fanout.v1.IPosition[];
            public resumed: boolean;
            public static create(properties?: fanout.v1.ISubscribed): fanout.v1.Subscribed;
            public static encode(message: fanout.v1.ISubscribed, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Subscribed;
        }

        interface IUnsubscribed {
            requestId?: (number|null);
            channel?: (string|null);
        }

        class Unsubscribed implements IUnsubscribed {
            constructor(properties?: fanout.v1.IUnsubscribed);
            public requestId: number;
            public channel: string;
            public static create(properties?: fanout.v1.IUnsubscribed): fanout.v1.Unsubscribed;
            public static encode(message: fanout.v1.IUnsubscribed, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Unsubscribed;
        }

        interface IPublication {
            topic?: (string|null);
            partition?: (number|null);
            offset?: (number|Long|null);
            key?: (Uint8Array|null);
            headers?: (fanout.v1.IHeader[]|null);
            timestampMs?: (number|Long|null);
            payload?: (Uint8Array|null);
            channel?: (string|null);
        }

        class Publication implements IPublication {
            constructor(properties?: fanout.v1.IPublication);
            public topic: string;
            public partition: number;
            public offset: (number|Long);
            public key?: (Uint8Array|null);
            public headers: fanout.v1.IHeader[];
            public timestampMs: (number|Long);
            public payload: Uint8Array;
            public channel: string;
            public static create(properties?: fanout.v1.IPublication): fanout.v1.Publication;
            public static encode(message: fanout.v1.IPublication, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Publication;
        }

        enum ContinuityReason {
            CONTINUITY_REASON_UNSPECIFIED = 0,
            CONTINUITY_REASON_DELETED = 1,
            CONTINUITY_REASON_AHEAD_OF_LOG = 2,
            CONTINUITY_REASON_TOPIC_RECREATED = 3
        }

        interface IContinuityLost {
            channel?: (string|null);
            partition?: (number|null);
            requestedOffset?: (number|Long|null);
            availableOffset?: (number|Long|null);
            reason?: (fanout.v1.ContinuityReason|null);
        }

        class ContinuityLost implements IContinuityLost {
            constructor(properties?: fanout.v1.IContinuityLost);
            public channel: string;
            public partition: number;
            public requestedOffset: (number|Long);
            public availableOffset: (number|Long);
            public reason: fanout.v1.ContinuityReason;
            public static create(properties?: fanout.v1.IContinuityLost): fanout.v1.ContinuityLost;
            public static encode(message: fanout.v1.IContinuityLost, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.ContinuityLost;
        }

        interface IError {
            code?: (fanout.v1.ErrorCode|null);
            message?: (string|null);
            requestId?: (number|null);
            channel?: (string|null);
            retriable?: (boolean|null);
        }

        class Error implements IError {
            constructor(properties?: fanout.v1.IError);
            public code: fanout.v1.ErrorCode;
            public message: string;
            public requestId: number;
            public channel: string;
            public retriable: boolean;
            public static create(properties?: fanout.v1.IError): fanout.v1.Error;
            public static encode(message: fanout.v1.IError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.Error;
        }

        enum GoAwayReason {
            GO_AWAY_REASON_UNSPECIFIED = 0,
            GO_AWAY_REASON_SHUTDOWN = 1,
            GO_AWAY_REASON_SLOW_CONSUMER = 2
        }

        interface IGoAway {
            reason?: (fanout.v1.GoAwayReason|null);
            reconnectAfterMs?: (number|null);
            message?: (string|null);
        }

        class GoAway implements IGoAway {
            constructor(properties?: fanout.v1.IGoAway);
            public reason: fanout.v1.GoAwayReason;
            public reconnectAfterMs: number;
            public message: string;
            public static create(properties?: fanout.v1.IGoAway): fanout.v1.GoAway;
            public static encode(message: fanout.v1.IGoAway, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): fanout.v1.GoAway;
        }
    }
}
