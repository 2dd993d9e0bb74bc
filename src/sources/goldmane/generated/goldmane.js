/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $number = (value) => typeof value === "number" ? value : value.toNumber();
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const goldmane = $root.goldmane = (() => {

    /**
     * Namespace goldmane.
     * @exports goldmane
     * @namespace
     */
    const goldmane = {};

    goldmane.FlowStreamRequest = (function() {

        /**
         * Properties of a FlowStreamRequest.
         * @typedef {Object} goldmane.FlowStreamRequest.$Properties
         * @property {number|null} [startTimeGte] FlowStreamRequest startTimeGte
         * @property {goldmane.Filter.$Properties|null} [filter] FlowStreamRequest filter
         * @property {number|null} [aggregationInterval] FlowStreamRequest aggregationInterval
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a FlowStreamRequest.
         * @memberof goldmane
         * @interface IFlowStreamRequest
         * @augments goldmane.FlowStreamRequest.$Properties
         * @deprecated Use goldmane.FlowStreamRequest.$Properties instead.
         */

        /**
         * Shape of a FlowStreamRequest.
         * @typedef {goldmane.FlowStreamRequest.$Properties} goldmane.FlowStreamRequest.$Shape
         */

        /**
         * Constructs a new FlowStreamRequest.
         * @memberof goldmane
         * @classdesc Represents a FlowStreamRequest.
         * @constructor
         * @param {goldmane.FlowStreamRequest.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const FlowStreamRequest = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * FlowStreamRequest startTimeGte.
         * @member {number} startTimeGte
         * @memberof goldmane.FlowStreamRequest
         * @instance
         */
        FlowStreamRequest.prototype.startTimeGte = 0;

        /**
         * FlowStreamRequest filter.
         * @member {goldmane.Filter.$Properties|null|undefined} filter
         * @memberof goldmane.FlowStreamRequest
         * @instance
         */
        FlowStreamRequest.prototype.filter = null;

        /**
         * FlowStreamRequest aggregationInterval.
         * @member {number} aggregationInterval
         * @memberof goldmane.FlowStreamRequest
         * @instance
         */
        FlowStreamRequest.prototype.aggregationInterval = 0;

        /**
         * Encodes the specified FlowStreamRequest message. Does not implicitly {@link goldmane.FlowStreamRequest.verify|verify} messages.
         * @function encode
         * @memberof goldmane.FlowStreamRequest
         * @static
         * @param {goldmane.FlowStreamRequest.$Properties} message FlowStreamRequest message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        FlowStreamRequest.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.startTimeGte != null && $Object.hasOwnProperty.call(message, "startTimeGte") && (typeof message.startTimeGte === "object" ? message.startTimeGte.low || message.startTimeGte.high : message.startTimeGte !== 0))
                writer.uint32(/* id 1, wireType 0 =*/8).int64(message.startTimeGte);
            if (message.filter != null && $Object.hasOwnProperty.call(message, "filter"))
                $root.goldmane.Filter.encode(message.filter, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.aggregationInterval != null && $Object.hasOwnProperty.call(message, "aggregationInterval") && (typeof message.aggregationInterval === "object" ? message.aggregationInterval.low || message.aggregationInterval.high : message.aggregationInterval !== 0))
                writer.uint32(/* id 3, wireType 0 =*/24).int64(message.aggregationInterval);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a FlowStreamRequest message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.FlowStreamRequest
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.FlowStreamRequest & goldmane.FlowStreamRequest.$Shape} FlowStreamRequest
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        FlowStreamRequest.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.FlowStreamRequest();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.startTimeGte = value;
                        else
                            delete message.startTimeGte;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.filter = $root.goldmane.Filter.decode(reader, reader.size(), $undefined, _depth + 1, message.filter);
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.aggregationInterval = value;
                        else
                            delete message.aggregationInterval;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return FlowStreamRequest;
    })();

    goldmane.Filter = (function() {

        /**
         * Properties of a Filter.
         * @typedef {Object} goldmane.Filter.$Properties
         * @property {Array.<goldmane.StringMatch.$Properties>|null} [sourceNames] Filter sourceNames
         * @property {Array.<goldmane.StringMatch.$Properties>|null} [sourceNamespaces] Filter sourceNamespaces
         * @property {Array.<goldmane.StringMatch.$Properties>|null} [destNames] Filter destNames
         * @property {Array.<goldmane.StringMatch.$Properties>|null} [destNamespaces] Filter destNamespaces
         * @property {Array.<goldmane.StringMatch.$Properties>|null} [protocols] Filter protocols
         * @property {Array.<goldmane.PortMatch.$Properties>|null} [destPorts] Filter destPorts
         * @property {Array.<goldmane.Action>|null} [actions] Filter actions
         * @property {goldmane.Reporter|null} [reporter] Filter reporter
         * @property {Array.<goldmane.Action>|null} [pendingActions] Filter pendingActions
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a Filter.
         * @memberof goldmane
         * @interface IFilter
         * @augments goldmane.Filter.$Properties
         * @deprecated Use goldmane.Filter.$Properties instead.
         */

        /**
         * Shape of a Filter.
         * @typedef {goldmane.Filter.$Properties} goldmane.Filter.$Shape
         */

        /**
         * Constructs a new Filter.
         * @memberof goldmane
         * @classdesc Represents a Filter.
         * @constructor
         * @param {goldmane.Filter.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const Filter = function (properties) {
            this.sourceNames = [];
            this.sourceNamespaces = [];
            this.destNames = [];
            this.destNamespaces = [];
            this.protocols = [];
            this.destPorts = [];
            this.actions = [];
            this.pendingActions = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Filter sourceNames.
         * @member {Array.<goldmane.StringMatch.$Properties>} sourceNames
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.sourceNames = $util.emptyArray;

        /**
         * Filter sourceNamespaces.
         * @member {Array.<goldmane.StringMatch.$Properties>} sourceNamespaces
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.sourceNamespaces = $util.emptyArray;

        /**
         * Filter destNames.
         * @member {Array.<goldmane.StringMatch.$Properties>} destNames
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.destNames = $util.emptyArray;

        /**
         * Filter destNamespaces.
         * @member {Array.<goldmane.StringMatch.$Properties>} destNamespaces
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.destNamespaces = $util.emptyArray;

        /**
         * Filter protocols.
         * @member {Array.<goldmane.StringMatch.$Properties>} protocols
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.protocols = $util.emptyArray;

        /**
         * Filter destPorts.
         * @member {Array.<goldmane.PortMatch.$Properties>} destPorts
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.destPorts = $util.emptyArray;

        /**
         * Filter actions.
         * @member {Array.<goldmane.Action>} actions
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.actions = $util.emptyArray;

        /**
         * Filter reporter.
         * @member {goldmane.Reporter} reporter
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.reporter = 0;

        /**
         * Filter pendingActions.
         * @member {Array.<goldmane.Action>} pendingActions
         * @memberof goldmane.Filter
         * @instance
         */
        Filter.prototype.pendingActions = $util.emptyArray;

        /**
         * Encodes the specified Filter message. Does not implicitly {@link goldmane.Filter.verify|verify} messages.
         * @function encode
         * @memberof goldmane.Filter
         * @static
         * @param {goldmane.Filter.$Properties} message Filter message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Filter.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.sourceNames != null && message.sourceNames.length)
                for (let i = 0; i < message.sourceNames.length; ++i)
                    $root.goldmane.StringMatch.encode(message.sourceNames[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
            if (message.sourceNamespaces != null && message.sourceNamespaces.length)
                for (let i = 0; i < message.sourceNamespaces.length; ++i)
                    $root.goldmane.StringMatch.encode(message.sourceNamespaces[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.destNames != null && message.destNames.length)
                for (let i = 0; i < message.destNames.length; ++i)
                    $root.goldmane.StringMatch.encode(message.destNames[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
            if (message.destNamespaces != null && message.destNamespaces.length)
                for (let i = 0; i < message.destNamespaces.length; ++i)
                    $root.goldmane.StringMatch.encode(message.destNamespaces[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
            if (message.protocols != null && message.protocols.length)
                for (let i = 0; i < message.protocols.length; ++i)
                    $root.goldmane.StringMatch.encode(message.protocols[i], writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
            if (message.destPorts != null && message.destPorts.length)
                for (let i = 0; i < message.destPorts.length; ++i)
                    $root.goldmane.PortMatch.encode(message.destPorts[i], writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
            if (message.actions != null && message.actions.length)
                writer.uint32(/* id 7, wireType 2 =*/58).int32s(message.actions);
            if (message.reporter != null && $Object.hasOwnProperty.call(message, "reporter") && message.reporter !== 0)
                writer.uint32(/* id 9, wireType 0 =*/72).int32(message.reporter);
            if (message.pendingActions != null && message.pendingActions.length)
                writer.uint32(/* id 10, wireType 2 =*/82).int32s(message.pendingActions);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a Filter message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.Filter
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.Filter & goldmane.Filter.$Shape} Filter
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Filter.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.Filter();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if (!(message.sourceNames && message.sourceNames.length))
                            message.sourceNames = [];
                        message.sourceNames.push($root.goldmane.StringMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if (!(message.sourceNamespaces && message.sourceNamespaces.length))
                            message.sourceNamespaces = [];
                        message.sourceNamespaces.push($root.goldmane.StringMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if (!(message.destNames && message.destNames.length))
                            message.destNames = [];
                        message.destNames.push($root.goldmane.StringMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if (!(message.destNamespaces && message.destNamespaces.length))
                            message.destNamespaces = [];
                        message.destNamespaces.push($root.goldmane.StringMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 5: {
                        if (wireType !== 2)
                            break;
                        if (!(message.protocols && message.protocols.length))
                            message.protocols = [];
                        message.protocols.push($root.goldmane.StringMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 6: {
                        if (wireType !== 2)
                            break;
                        if (!(message.destPorts && message.destPorts.length))
                            message.destPorts = [];
                        message.destPorts.push($root.goldmane.PortMatch.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 7: {
                        if (wireType === 2) {
                            if (!(message.actions && message.actions.length))
                                message.actions = [];
                            reader.int32s(message.actions);
                            continue;
                        }
                        if (wireType !== 0)
                            break;
                        if (!(message.actions && message.actions.length))
                            message.actions = [];
                        message.actions.push(reader.int32());
                        continue;
                    }
                case 9: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.reporter = value;
                        else
                            delete message.reporter;
                        continue;
                    }
                case 10: {
                        if (wireType === 2) {
                            if (!(message.pendingActions && message.pendingActions.length))
                                message.pendingActions = [];
                            reader.int32s(message.pendingActions);
                            continue;
                        }
                        if (wireType !== 0)
                            break;
                        if (!(message.pendingActions && message.pendingActions.length))
                            message.pendingActions = [];
                        message.pendingActions.push(reader.int32());
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return Filter;
    })();

    goldmane.StringMatch = (function() {

        /**
         * Properties of a StringMatch.
         * @typedef {Object} goldmane.StringMatch.$Properties
         * @property {string|null} [value] StringMatch value
         * @property {goldmane.MatchType|null} [type] StringMatch type
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a StringMatch.
         * @memberof goldmane
         * @interface IStringMatch
         * @augments goldmane.StringMatch.$Properties
         * @deprecated Use goldmane.StringMatch.$Properties instead.
         */

        /**
         * Shape of a StringMatch.
         * @typedef {goldmane.StringMatch.$Properties} goldmane.StringMatch.$Shape
         */

        /**
         * Constructs a new StringMatch.
         * @memberof goldmane
         * @classdesc Represents a StringMatch.
         * @constructor
         * @param {goldmane.StringMatch.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const StringMatch = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * StringMatch value.
         * @member {string} value
         * @memberof goldmane.StringMatch
         * @instance
         */
        StringMatch.prototype.value = "";

        /**
         * StringMatch type.
         * @member {goldmane.MatchType} type
         * @memberof goldmane.StringMatch
         * @instance
         */
        StringMatch.prototype.type = 0;

        /**
         * Encodes the specified StringMatch message. Does not implicitly {@link goldmane.StringMatch.verify|verify} messages.
         * @function encode
         * @memberof goldmane.StringMatch
         * @static
         * @param {goldmane.StringMatch.$Properties} message StringMatch message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        StringMatch.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.value);
            if (message.type != null && $Object.hasOwnProperty.call(message, "type") && message.type !== 0)
                writer.uint32(/* id 2, wireType 0 =*/16).int32(message.type);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a StringMatch message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.StringMatch
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.StringMatch & goldmane.StringMatch.$Shape} StringMatch
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        StringMatch.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.StringMatch();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.value = value;
                        else
                            delete message.value;
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.type = value;
                        else
                            delete message.type;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return StringMatch;
    })();

    goldmane.PortMatch = (function() {

        /**
         * Properties of a PortMatch.
         * @typedef {Object} goldmane.PortMatch.$Properties
         * @property {number|null} [port] PortMatch port
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PortMatch.
         * @memberof goldmane
         * @interface IPortMatch
         * @augments goldmane.PortMatch.$Properties
         * @deprecated Use goldmane.PortMatch.$Properties instead.
         */

        /**
         * Shape of a PortMatch.
         * @typedef {goldmane.PortMatch.$Properties} goldmane.PortMatch.$Shape
         */

        /**
         * Constructs a new PortMatch.
         * @memberof goldmane
         * @classdesc Represents a PortMatch.
         * @constructor
         * @param {goldmane.PortMatch.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PortMatch = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * PortMatch port.
         * @member {number} port
         * @memberof goldmane.PortMatch
         * @instance
         */
        PortMatch.prototype.port = 0;

        /**
         * Encodes the specified PortMatch message. Does not implicitly {@link goldmane.PortMatch.verify|verify} messages.
         * @function encode
         * @memberof goldmane.PortMatch
         * @static
         * @param {goldmane.PortMatch.$Properties} message PortMatch message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PortMatch.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.port != null && $Object.hasOwnProperty.call(message, "port") && (typeof message.port === "object" ? message.port.low || message.port.high : message.port !== 0))
                writer.uint32(/* id 1, wireType 0 =*/8).int64(message.port);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PortMatch message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.PortMatch
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.PortMatch & goldmane.PortMatch.$Shape} PortMatch
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PortMatch.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.PortMatch();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.port = value;
                        else
                            delete message.port;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PortMatch;
    })();

    /**
     * MatchType enum.
     * @name goldmane.MatchType
     * @enum {number}
     * @property {number} Exact=0 Exact value
     * @property {number} Fuzzy=1 Fuzzy value
     */
    goldmane.MatchType = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "Exact"] = 0;
        values[valuesById[1] = "Fuzzy"] = 1;
        return values;
    })();

    goldmane.FlowResult = (function() {

        /**
         * Properties of a FlowResult.
         * @typedef {Object} goldmane.FlowResult.$Properties
         * @property {number|null} [id] FlowResult id
         * @property {goldmane.Flow.$Properties|null} [flow] FlowResult flow
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a FlowResult.
         * @memberof goldmane
         * @interface IFlowResult
         * @augments goldmane.FlowResult.$Properties
         * @deprecated Use goldmane.FlowResult.$Properties instead.
         */

        /**
         * Shape of a FlowResult.
         * @typedef {goldmane.FlowResult.$Properties} goldmane.FlowResult.$Shape
         */

        /**
         * Constructs a new FlowResult.
         * @memberof goldmane
         * @classdesc Represents a FlowResult.
         * @constructor
         * @param {goldmane.FlowResult.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const FlowResult = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * FlowResult id.
         * @member {number} id
         * @memberof goldmane.FlowResult
         * @instance
         */
        FlowResult.prototype.id = 0;

        /**
         * FlowResult flow.
         * @member {goldmane.Flow.$Properties|null|undefined} flow
         * @memberof goldmane.FlowResult
         * @instance
         */
        FlowResult.prototype.flow = null;

        /**
         * Encodes the specified FlowResult message. Does not implicitly {@link goldmane.FlowResult.verify|verify} messages.
         * @function encode
         * @memberof goldmane.FlowResult
         * @static
         * @param {goldmane.FlowResult.$Properties} message FlowResult message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        FlowResult.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.id != null && $Object.hasOwnProperty.call(message, "id") && (typeof message.id === "object" ? message.id.low || message.id.high : message.id !== 0))
                writer.uint32(/* id 1, wireType 0 =*/8).int64(message.id);
            if (message.flow != null && $Object.hasOwnProperty.call(message, "flow"))
                $root.goldmane.Flow.encode(message.flow, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a FlowResult message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.FlowResult
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.FlowResult & goldmane.FlowResult.$Shape} FlowResult
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        FlowResult.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.FlowResult();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.id = value;
                        else
                            delete message.id;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        message.flow = $root.goldmane.Flow.decode(reader, reader.size(), $undefined, _depth + 1, message.flow);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return FlowResult;
    })();

    goldmane.Flow = (function() {

        /**
         * Properties of a Flow.
         * @typedef {Object} goldmane.Flow.$Properties
         * @property {goldmane.FlowKey.$Properties|null} [Key] Flow Key
         * @property {number|null} [startTime] Flow startTime
         * @property {number|null} [endTime] Flow endTime
         * @property {Array.<string>|null} [sourceLabels] Flow sourceLabels
         * @property {Array.<string>|null} [destLabels] Flow destLabels
         * @property {number|null} [packetsIn] Flow packetsIn
         * @property {number|null} [packetsOut] Flow packetsOut
         * @property {number|null} [bytesIn] Flow bytesIn
         * @property {number|null} [bytesOut] Flow bytesOut
         * @property {number|null} [numConnectionsStarted] Flow numConnectionsStarted
         * @property {number|null} [numConnectionsCompleted] Flow numConnectionsCompleted
         * @property {number|null} [numConnectionsLive] Flow numConnectionsLive
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a Flow.
         * @memberof goldmane
         * @interface IFlow
         * @augments goldmane.Flow.$Properties
         * @deprecated Use goldmane.Flow.$Properties instead.
         */

        /**
         * Shape of a Flow.
         * @typedef {goldmane.Flow.$Properties} goldmane.Flow.$Shape
         */

        /**
         * Constructs a new Flow.
         * @memberof goldmane
         * @classdesc Represents a Flow.
         * @constructor
         * @param {goldmane.Flow.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const Flow = function (properties) {
            this.sourceLabels = [];
            this.destLabels = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * Flow Key.
         * @member {goldmane.FlowKey.$Properties|null|undefined} Key
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.Key = null;

        /**
         * Flow startTime.
         * @member {number} startTime
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.startTime = 0;

        /**
         * Flow endTime.
         * @member {number} endTime
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.endTime = 0;

        /**
         * Flow sourceLabels.
         * @member {Array.<string>} sourceLabels
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.sourceLabels = $util.emptyArray;

        /**
         * Flow destLabels.
         * @member {Array.<string>} destLabels
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.destLabels = $util.emptyArray;

        /**
         * Flow packetsIn.
         * @member {number} packetsIn
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.packetsIn = 0;

        /**
         * Flow packetsOut.
         * @member {number} packetsOut
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.packetsOut = 0;

        /**
         * Flow bytesIn.
         * @member {number} bytesIn
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.bytesIn = 0;

        /**
         * Flow bytesOut.
         * @member {number} bytesOut
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.bytesOut = 0;

        /**
         * Flow numConnectionsStarted.
         * @member {number} numConnectionsStarted
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.numConnectionsStarted = 0;

        /**
         * Flow numConnectionsCompleted.
         * @member {number} numConnectionsCompleted
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.numConnectionsCompleted = 0;

        /**
         * Flow numConnectionsLive.
         * @member {number} numConnectionsLive
         * @memberof goldmane.Flow
         * @instance
         */
        Flow.prototype.numConnectionsLive = 0;

        /**
         * Encodes the specified Flow message. Does not implicitly {@link goldmane.Flow.verify|verify} messages.
         * @function encode
         * @memberof goldmane.Flow
         * @static
         * @param {goldmane.Flow.$Properties} message Flow message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        Flow.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.Key != null && $Object.hasOwnProperty.call(message, "Key"))
                $root.goldmane.FlowKey.encode(message.Key, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
            if (message.startTime != null && $Object.hasOwnProperty.call(message, "startTime") && (typeof message.startTime === "object" ? message.startTime.low || message.startTime.high : message.startTime !== 0))
                writer.uint32(/* id 2, wireType 0 =*/16).int64(message.startTime);
            if (message.endTime != null && $Object.hasOwnProperty.call(message, "endTime") && (typeof message.endTime === "object" ? message.endTime.low || message.endTime.high : message.endTime !== 0))
                writer.uint32(/* id 3, wireType 0 =*/24).int64(message.endTime);
            if (message.sourceLabels != null && message.sourceLabels.length)
                for (let i = 0; i < message.sourceLabels.length; ++i)
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.sourceLabels[i]);
            if (message.destLabels != null && message.destLabels.length)
                for (let i = 0; i < message.destLabels.length; ++i)
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.destLabels[i]);
            if (message.packetsIn != null && $Object.hasOwnProperty.call(message, "packetsIn") && (typeof message.packetsIn === "object" ? message.packetsIn.low || message.packetsIn.high : message.packetsIn !== 0))
                writer.uint32(/* id 6, wireType 0 =*/48).int64(message.packetsIn);
            if (message.packetsOut != null && $Object.hasOwnProperty.call(message, "packetsOut") && (typeof message.packetsOut === "object" ? message.packetsOut.low || message.packetsOut.high : message.packetsOut !== 0))
                writer.uint32(/* id 7, wireType 0 =*/56).int64(message.packetsOut);
            if (message.bytesIn != null && $Object.hasOwnProperty.call(message, "bytesIn") && (typeof message.bytesIn === "object" ? message.bytesIn.low || message.bytesIn.high : message.bytesIn !== 0))
                writer.uint32(/* id 8, wireType 0 =*/64).int64(message.bytesIn);
            if (message.bytesOut != null && $Object.hasOwnProperty.call(message, "bytesOut") && (typeof message.bytesOut === "object" ? message.bytesOut.low || message.bytesOut.high : message.bytesOut !== 0))
                writer.uint32(/* id 9, wireType 0 =*/72).int64(message.bytesOut);
            if (message.numConnectionsStarted != null && $Object.hasOwnProperty.call(message, "numConnectionsStarted") && (typeof message.numConnectionsStarted === "object" ? message.numConnectionsStarted.low || message.numConnectionsStarted.high : message.numConnectionsStarted !== 0))
                writer.uint32(/* id 10, wireType 0 =*/80).int64(message.numConnectionsStarted);
            if (message.numConnectionsCompleted != null && $Object.hasOwnProperty.call(message, "numConnectionsCompleted") && (typeof message.numConnectionsCompleted === "object" ? message.numConnectionsCompleted.low || message.numConnectionsCompleted.high : message.numConnectionsCompleted !== 0))
                writer.uint32(/* id 11, wireType 0 =*/88).int64(message.numConnectionsCompleted);
            if (message.numConnectionsLive != null && $Object.hasOwnProperty.call(message, "numConnectionsLive") && (typeof message.numConnectionsLive === "object" ? message.numConnectionsLive.low || message.numConnectionsLive.high : message.numConnectionsLive !== 0))
                writer.uint32(/* id 12, wireType 0 =*/96).int64(message.numConnectionsLive);
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a Flow message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.Flow
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.Flow & goldmane.Flow.$Shape} Flow
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        Flow.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.Flow();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        message.Key = $root.goldmane.FlowKey.decode(reader, reader.size(), $undefined, _depth + 1, message.Key);
                        continue;
                    }
                case 2: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.startTime = value;
                        else
                            delete message.startTime;
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.endTime = value;
                        else
                            delete message.endTime;
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if (!(message.sourceLabels && message.sourceLabels.length))
                            message.sourceLabels = [];
                        message.sourceLabels.push(reader.stringVerify());
                        continue;
                    }
                case 5: {
                        if (wireType !== 2)
                            break;
                        if (!(message.destLabels && message.destLabels.length))
                            message.destLabels = [];
                        message.destLabels.push(reader.stringVerify());
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.packetsIn = value;
                        else
                            delete message.packetsIn;
                        continue;
                    }
                case 7: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.packetsOut = value;
                        else
                            delete message.packetsOut;
                        continue;
                    }
                case 8: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.bytesIn = value;
                        else
                            delete message.bytesIn;
                        continue;
                    }
                case 9: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.bytesOut = value;
                        else
                            delete message.bytesOut;
                        continue;
                    }
                case 10: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.numConnectionsStarted = value;
                        else
                            delete message.numConnectionsStarted;
                        continue;
                    }
                case 11: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.numConnectionsCompleted = value;
                        else
                            delete message.numConnectionsCompleted;
                        continue;
                    }
                case 12: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.numConnectionsLive = value;
                        else
                            delete message.numConnectionsLive;
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return Flow;
    })();

    goldmane.FlowKey = (function() {

        /**
         * Properties of a FlowKey.
         * @typedef {Object} goldmane.FlowKey.$Properties
         * @property {string|null} [sourceName] FlowKey sourceName
         * @property {string|null} [sourceNamespace] FlowKey sourceNamespace
         * @property {goldmane.EndpointType|null} [sourceType] FlowKey sourceType
         * @property {string|null} [destName] FlowKey destName
         * @property {string|null} [destNamespace] FlowKey destNamespace
         * @property {goldmane.EndpointType|null} [destType] FlowKey destType
         * @property {number|null} [destPort] FlowKey destPort
         * @property {string|null} [destServiceName] FlowKey destServiceName
         * @property {string|null} [destServiceNamespace] FlowKey destServiceNamespace
         * @property {string|null} [destServicePortName] FlowKey destServicePortName
         * @property {number|null} [destServicePort] FlowKey destServicePort
         * @property {string|null} [proto] FlowKey proto
         * @property {goldmane.Reporter|null} [reporter] FlowKey reporter
         * @property {goldmane.Action|null} [action] FlowKey action
         * @property {goldmane.PolicyTrace.$Properties|null} [policies] FlowKey policies
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a FlowKey.
         * @memberof goldmane
         * @interface IFlowKey
         * @augments goldmane.FlowKey.$Properties
         * @deprecated Use goldmane.FlowKey.$Properties instead.
         */

        /**
         * Shape of a FlowKey.
         * @typedef {goldmane.FlowKey.$Properties} goldmane.FlowKey.$Shape
         */

        /**
         * Constructs a new FlowKey.
         * @memberof goldmane
         * @classdesc Represents a FlowKey.
         * @constructor
         * @param {goldmane.FlowKey.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const FlowKey = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * FlowKey sourceName.
         * @member {string} sourceName
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.sourceName = "";

        /**
         * FlowKey sourceNamespace.
         * @member {string} sourceNamespace
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.sourceNamespace = "";

        /**
         * FlowKey sourceType.
         * @member {goldmane.EndpointType} sourceType
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.sourceType = 0;

        /**
         * FlowKey destName.
         * @member {string} destName
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destName = "";

        /**
         * FlowKey destNamespace.
         * @member {string} destNamespace
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destNamespace = "";

        /**
         * FlowKey destType.
         * @member {goldmane.EndpointType} destType
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destType = 0;

        /**
         * FlowKey destPort.
         * @member {number} destPort
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destPort = 0;

        /**
         * FlowKey destServiceName.
         * @member {string} destServiceName
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destServiceName = "";

        /**
         * FlowKey destServiceNamespace.
         * @member {string} destServiceNamespace
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destServiceNamespace = "";

        /**
         * FlowKey destServicePortName.
         * @member {string} destServicePortName
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destServicePortName = "";

        /**
         * FlowKey destServicePort.
         * @member {number} destServicePort
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.destServicePort = 0;

        /**
         * FlowKey proto.
         * @member {string} proto
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.proto = "";

        /**
         * FlowKey reporter.
         * @member {goldmane.Reporter} reporter
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.reporter = 0;

        /**
         * FlowKey action.
         * @member {goldmane.Action} action
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.action = 0;

        /**
         * FlowKey policies.
         * @member {goldmane.PolicyTrace.$Properties|null|undefined} policies
         * @memberof goldmane.FlowKey
         * @instance
         */
        FlowKey.prototype.policies = null;

        /**
         * Encodes the specified FlowKey message. Does not implicitly {@link goldmane.FlowKey.verify|verify} messages.
         * @function encode
         * @memberof goldmane.FlowKey
         * @static
         * @param {goldmane.FlowKey.$Properties} message FlowKey message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        FlowKey.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.sourceName != null && $Object.hasOwnProperty.call(message, "sourceName") && message.sourceName !== "")
                writer.uint32(/* id 1, wireType 2 =*/10).string(message.sourceName);
            if (message.sourceNamespace != null && $Object.hasOwnProperty.call(message, "sourceNamespace") && message.sourceNamespace !== "")
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.sourceNamespace);
            if (message.sourceType != null && $Object.hasOwnProperty.call(message, "sourceType") && message.sourceType !== 0)
                writer.uint32(/* id 3, wireType 0 =*/24).int32(message.sourceType);
            if (message.destName != null && $Object.hasOwnProperty.call(message, "destName") && message.destName !== "")
                writer.uint32(/* id 4, wireType 2 =*/34).string(message.destName);
            if (message.destNamespace != null && $Object.hasOwnProperty.call(message, "destNamespace") && message.destNamespace !== "")
                writer.uint32(/* id 5, wireType 2 =*/42).string(message.destNamespace);
            if (message.destType != null && $Object.hasOwnProperty.call(message, "destType") && message.destType !== 0)
                writer.uint32(/* id 6, wireType 0 =*/48).int32(message.destType);
            if (message.destPort != null && $Object.hasOwnProperty.call(message, "destPort") && (typeof message.destPort === "object" ? message.destPort.low || message.destPort.high : message.destPort !== 0))
                writer.uint32(/* id 7, wireType 0 =*/56).int64(message.destPort);
            if (message.destServiceName != null && $Object.hasOwnProperty.call(message, "destServiceName") && message.destServiceName !== "")
                writer.uint32(/* id 8, wireType 2 =*/66).string(message.destServiceName);
            if (message.destServiceNamespace != null && $Object.hasOwnProperty.call(message, "destServiceNamespace") && message.destServiceNamespace !== "")
                writer.uint32(/* id 9, wireType 2 =*/74).string(message.destServiceNamespace);
            if (message.destServicePortName != null && $Object.hasOwnProperty.call(message, "destServicePortName") && message.destServicePortName !== "")
                writer.uint32(/* id 10, wireType 2 =*/82).string(message.destServicePortName);
            if (message.destServicePort != null && $Object.hasOwnProperty.call(message, "destServicePort") && (typeof message.destServicePort === "object" ? message.destServicePort.low || message.destServicePort.high : message.destServicePort !== 0))
                writer.uint32(/* id 11, wireType 0 =*/88).int64(message.destServicePort);
            if (message.proto != null && $Object.hasOwnProperty.call(message, "proto") && message.proto !== "")
                writer.uint32(/* id 12, wireType 2 =*/98).string(message.proto);
            if (message.reporter != null && $Object.hasOwnProperty.call(message, "reporter") && message.reporter !== 0)
                writer.uint32(/* id 13, wireType 0 =*/104).int32(message.reporter);
            if (message.action != null && $Object.hasOwnProperty.call(message, "action") && message.action !== 0)
                writer.uint32(/* id 14, wireType 0 =*/112).int32(message.action);
            if (message.policies != null && $Object.hasOwnProperty.call(message, "policies"))
                $root.goldmane.PolicyTrace.encode(message.policies, writer.uint32(/* id 15, wireType 2 =*/122).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a FlowKey message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.FlowKey
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.FlowKey & goldmane.FlowKey.$Shape} FlowKey
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        FlowKey.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.FlowKey();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.sourceName = value;
                        else
                            delete message.sourceName;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.sourceNamespace = value;
                        else
                            delete message.sourceNamespace;
                        continue;
                    }
                case 3: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.sourceType = value;
                        else
                            delete message.sourceType;
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.destName = value;
                        else
                            delete message.destName;
                        continue;
                    }
                case 5: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.destNamespace = value;
                        else
                            delete message.destNamespace;
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.destType = value;
                        else
                            delete message.destType;
                        continue;
                    }
                case 7: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.destPort = value;
                        else
                            delete message.destPort;
                        continue;
                    }
                case 8: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.destServiceName = value;
                        else
                            delete message.destServiceName;
                        continue;
                    }
                case 9: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.destServiceNamespace = value;
                        else
                            delete message.destServiceNamespace;
                        continue;
                    }
                case 10: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.destServicePortName = value;
                        else
                            delete message.destServicePortName;
                        continue;
                    }
                case 11: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.destServicePort = value;
                        else
                            delete message.destServicePort;
                        continue;
                    }
                case 12: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.proto = value;
                        else
                            delete message.proto;
                        continue;
                    }
                case 13: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.reporter = value;
                        else
                            delete message.reporter;
                        continue;
                    }
                case 14: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.action = value;
                        else
                            delete message.action;
                        continue;
                    }
                case 15: {
                        if (wireType !== 2)
                            break;
                        message.policies = $root.goldmane.PolicyTrace.decode(reader, reader.size(), $undefined, _depth + 1, message.policies);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return FlowKey;
    })();

    goldmane.PolicyTrace = (function() {

        /**
         * Properties of a PolicyTrace.
         * @typedef {Object} goldmane.PolicyTrace.$Properties
         * @property {Array.<goldmane.PolicyHit.$Properties>|null} [enforcedPolicies] PolicyTrace enforcedPolicies
         * @property {Array.<goldmane.PolicyHit.$Properties>|null} [pendingPolicies] PolicyTrace pendingPolicies
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PolicyTrace.
         * @memberof goldmane
         * @interface IPolicyTrace
         * @augments goldmane.PolicyTrace.$Properties
         * @deprecated Use goldmane.PolicyTrace.$Properties instead.
         */

        /**
         * Shape of a PolicyTrace.
         * @typedef {goldmane.PolicyTrace.$Properties} goldmane.PolicyTrace.$Shape
         */

        /**
         * Constructs a new PolicyTrace.
         * @memberof goldmane
         * @classdesc Represents a PolicyTrace.
         * @constructor
         * @param {goldmane.PolicyTrace.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PolicyTrace = function (properties) {
            this.enforcedPolicies = [];
            this.pendingPolicies = [];
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * PolicyTrace enforcedPolicies.
         * @member {Array.<goldmane.PolicyHit.$Properties>} enforcedPolicies
         * @memberof goldmane.PolicyTrace
         * @instance
         */
        PolicyTrace.prototype.enforcedPolicies = $util.emptyArray;

        /**
         * PolicyTrace pendingPolicies.
         * @member {Array.<goldmane.PolicyHit.$Properties>} pendingPolicies
         * @memberof goldmane.PolicyTrace
         * @instance
         */
        PolicyTrace.prototype.pendingPolicies = $util.emptyArray;

        /**
         * Encodes the specified PolicyTrace message. Does not implicitly {@link goldmane.PolicyTrace.verify|verify} messages.
         * @function encode
         * @memberof goldmane.PolicyTrace
         * @static
         * @param {goldmane.PolicyTrace.$Properties} message PolicyTrace message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PolicyTrace.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.enforcedPolicies != null && message.enforcedPolicies.length)
                for (let i = 0; i < message.enforcedPolicies.length; ++i)
                    $root.goldmane.PolicyHit.encode(message.enforcedPolicies[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
            if (message.pendingPolicies != null && message.pendingPolicies.length)
                for (let i = 0; i < message.pendingPolicies.length; ++i)
                    $root.goldmane.PolicyHit.encode(message.pendingPolicies[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PolicyTrace message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.PolicyTrace
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.PolicyTrace & goldmane.PolicyTrace.$Shape} PolicyTrace
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PolicyTrace.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.PolicyTrace();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 2)
                            break;
                        if (!(message.enforcedPolicies && message.enforcedPolicies.length))
                            message.enforcedPolicies = [];
                        message.enforcedPolicies.push($root.goldmane.PolicyHit.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if (!(message.pendingPolicies && message.pendingPolicies.length))
                            message.pendingPolicies = [];
                        message.pendingPolicies.push($root.goldmane.PolicyHit.decode(reader, reader.size(), $undefined, _depth + 1));
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PolicyTrace;
    })();

    goldmane.PolicyHit = (function() {

        /**
         * Properties of a PolicyHit.
         * @typedef {Object} goldmane.PolicyHit.$Properties
         * @property {goldmane.PolicyKind|null} [kind] PolicyHit kind
         * @property {string|null} [namespace] PolicyHit namespace
         * @property {string|null} [name] PolicyHit name
         * @property {string|null} [tier] PolicyHit tier
         * @property {goldmane.Action|null} [action] PolicyHit action
         * @property {number|null} [policyIndex] PolicyHit policyIndex
         * @property {number|null} [ruleIndex] PolicyHit ruleIndex
         * @property {goldmane.PolicyHit.$Properties|null} [trigger] PolicyHit trigger
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */

        /**
         * Properties of a PolicyHit.
         * @memberof goldmane
         * @interface IPolicyHit
         * @augments goldmane.PolicyHit.$Properties
         * @deprecated Use goldmane.PolicyHit.$Properties instead.
         */

        /**
         * Shape of a PolicyHit.
         * @typedef {goldmane.PolicyHit.$Properties} goldmane.PolicyHit.$Shape
         */

        /**
         * Constructs a new PolicyHit.
         * @memberof goldmane
         * @classdesc Represents a PolicyHit.
         * @constructor
         * @param {goldmane.PolicyHit.$Properties=} [properties] Properties to set
         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
         */
        const PolicyHit = function (properties) {
            if (properties)
                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                        this[keys[i]] = properties[keys[i]];
        };

        /**
         * PolicyHit kind.
         * @member {goldmane.PolicyKind} kind
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.kind = 0;

        /**
         * PolicyHit namespace.
         * @member {string} namespace
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.namespace = "";

        /**
         * PolicyHit name.
         * @member {string} name
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.name = "";

        /**
         * PolicyHit tier.
         * @member {string} tier
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.tier = "";

        /**
         * PolicyHit action.
         * @member {goldmane.Action} action
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.action = 0;

        /**
         * PolicyHit policyIndex.
         * @member {number} policyIndex
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.policyIndex = 0;

        /**
         * PolicyHit ruleIndex.
         * @member {number} ruleIndex
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.ruleIndex = 0;

        /**
         * PolicyHit trigger.
         * @member {goldmane.PolicyHit.$Properties|null|undefined} trigger
         * @memberof goldmane.PolicyHit
         * @instance
         */
        PolicyHit.prototype.trigger = null;

        /**
         * Encodes the specified PolicyHit message. Does not implicitly {@link goldmane.PolicyHit.verify|verify} messages.
         * @function encode
         * @memberof goldmane.PolicyHit
         * @static
         * @param {goldmane.PolicyHit.$Properties} message PolicyHit message or plain object to encode
         * @param {$protobuf.Writer} [writer] Writer to encode to
         * @returns {$protobuf.Writer} Writer
         */
        PolicyHit.encode = function (message, writer, _depth) {
            if (!writer)
                writer = $Writer.create();
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $util.recursionLimit)
                throw $Error("max depth exceeded");
            if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                writer.uint32(/* id 1, wireType 0 =*/8).int32(message.kind);
            if (message.namespace != null && $Object.hasOwnProperty.call(message, "namespace") && message.namespace !== "")
                writer.uint32(/* id 2, wireType 2 =*/18).string(message.namespace);
            if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                writer.uint32(/* id 3, wireType 2 =*/26).string(message.name);
            if (message.tier != null && $Object.hasOwnProperty.call(message, "tier") && message.tier !== "")
                writer.uint32(/* id 4, wireType 2 =*/34).string(message.tier);
            if (message.action != null && $Object.hasOwnProperty.call(message, "action") && message.action !== 0)
                writer.uint32(/* id 5, wireType 0 =*/40).int32(message.action);
            if (message.policyIndex != null && $Object.hasOwnProperty.call(message, "policyIndex") && (typeof message.policyIndex === "object" ? message.policyIndex.low || message.policyIndex.high : message.policyIndex !== 0))
                writer.uint32(/* id 6, wireType 0 =*/48).int64(message.policyIndex);
            if (message.ruleIndex != null && $Object.hasOwnProperty.call(message, "ruleIndex") && (typeof message.ruleIndex === "object" ? message.ruleIndex.low || message.ruleIndex.high : message.ruleIndex !== 0))
                writer.uint32(/* id 7, wireType 0 =*/56).int64(message.ruleIndex);
            if (message.trigger != null && $Object.hasOwnProperty.call(message, "trigger"))
                $root.goldmane.PolicyHit.encode(message.trigger, writer.uint32(/* id 8, wireType 2 =*/66).fork(), _depth + 1).ldelim();
            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                for (let i = 0; i < message.$unknowns.length; ++i)
                    writer.raw(message.$unknowns[i]);
            return writer;
        };

        /**
         * Decodes a PolicyHit message from the specified reader or buffer.
         * @function decode
         * @memberof goldmane.PolicyHit
         * @static
         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
         * @param {number} [length] Message length if known beforehand
         * @returns {goldmane.PolicyHit & goldmane.PolicyHit.$Shape} PolicyHit
         * @throws {Error} If the payload is not a reader or valid buffer
         * @throws {$protobuf.util.ProtocolError} If required fields are missing
         */
        PolicyHit.decode = function (reader, length, _end, _depth, _target) {
            if (!(reader instanceof $Reader))
                reader = $Reader.create(reader);
            if (_depth === $undefined)
                _depth = 0;
            if (_depth > $Reader.recursionLimit)
                throw $Error("max depth exceeded");
            let end, message, value;
            if (length === $undefined)
                end = reader.len;
            else {
                end = reader.pos + length;
                if (end > reader.len)
                    throw $RangeError("index out of range");
                length = reader.len;
                reader.len = end;
            }
            message = _target || new $root.goldmane.PolicyHit();
            while (reader.pos < end) {
                let start = reader.pos;
                let tag = reader.tag();
                if (tag === _end) {
                    _end = $undefined;
                    break;
                }
                let wireType = tag & 7;
                switch (tag >>>= 3) {
                case 1: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.kind = value;
                        else
                            delete message.kind;
                        continue;
                    }
                case 2: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.namespace = value;
                        else
                            delete message.namespace;
                        continue;
                    }
                case 3: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.name = value;
                        else
                            delete message.name;
                        continue;
                    }
                case 4: {
                        if (wireType !== 2)
                            break;
                        if ((value = reader.stringVerify()).length)
                            message.tier = value;
                        else
                            delete message.tier;
                        continue;
                    }
                case 5: {
                        if (wireType !== 0)
                            break;
                        if (value = reader.int32())
                            message.action = value;
                        else
                            delete message.action;
                        continue;
                    }
                case 6: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.policyIndex = value;
                        else
                            delete message.policyIndex;
                        continue;
                    }
                case 7: {
                        if (wireType !== 0)
                            break;
                        if (typeof (value = $number(reader.int64())) === "object" ? value.low || value.high : value !== 0)
                            message.ruleIndex = value;
                        else
                            delete message.ruleIndex;
                        continue;
                    }
                case 8: {
                        if (wireType !== 2)
                            break;
                        message.trigger = $root.goldmane.PolicyHit.decode(reader, reader.size(), $undefined, _depth + 1, message.trigger);
                        continue;
                    }
                }
                reader.skipType(wireType, _depth, tag);
                if (!reader.discardUnknown) {
                    $util.makeProp(message, "$unknowns", false);
                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                }
            }
            if (length !== $undefined) {
                if (reader.pos !== end)
                    throw $RangeError("index out of range");
                reader.len = length;
            }
            if (_end !== $undefined)
                throw $Error("missing end group");
            return message;
        };

        return PolicyHit;
    })();

    /**
     * Action enum.
     * @name goldmane.Action
     * @enum {number}
     * @property {number} ActionUnspecified=0 ActionUnspecified value
     * @property {number} Allow=1 Allow value
     * @property {number} Deny=2 Deny value
     * @property {number} Pass=3 Pass value
     */
    goldmane.Action = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "ActionUnspecified"] = 0;
        values[valuesById[1] = "Allow"] = 1;
        values[valuesById[2] = "Deny"] = 2;
        values[valuesById[3] = "Pass"] = 3;
        return values;
    })();

    /**
     * Reporter enum.
     * @name goldmane.Reporter
     * @enum {number}
     * @property {number} ReporterUnspecified=0 ReporterUnspecified value
     * @property {number} Src=1 Src value
     * @property {number} Dst=2 Dst value
     */
    goldmane.Reporter = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "ReporterUnspecified"] = 0;
        values[valuesById[1] = "Src"] = 1;
        values[valuesById[2] = "Dst"] = 2;
        return values;
    })();

    /**
     * EndpointType enum.
     * @name goldmane.EndpointType
     * @enum {number}
     * @property {number} EndpointTypeUnspecified=0 EndpointTypeUnspecified value
     * @property {number} WorkloadEndpoint=1 WorkloadEndpoint value
     * @property {number} HostEndpoint=2 HostEndpoint value
     * @property {number} NetworkSet=3 NetworkSet value
     * @property {number} Network=4 Network value
     */
    goldmane.EndpointType = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "EndpointTypeUnspecified"] = 0;
        values[valuesById[1] = "WorkloadEndpoint"] = 1;
        values[valuesById[2] = "HostEndpoint"] = 2;
        values[valuesById[3] = "NetworkSet"] = 3;
        values[valuesById[4] = "Network"] = 4;
        return values;
    })();

    /**
     * PolicyKind enum.
     * @name goldmane.PolicyKind
     * @enum {number}
     * @property {number} KindUnspecified=0 KindUnspecified value
     * @property {number} CalicoNetworkPolicy=1 CalicoNetworkPolicy value
     * @property {number} GlobalNetworkPolicy=2 GlobalNetworkPolicy value
     * @property {number} StagedNetworkPolicy=3 StagedNetworkPolicy value
     * @property {number} StagedGlobalNetworkPolicy=4 StagedGlobalNetworkPolicy value
     * @property {number} StagedKubernetesNetworkPolicy=5 StagedKubernetesNetworkPolicy value
     * @property {number} NetworkPolicy=6 NetworkPolicy value
     * @property {number} AdminNetworkPolicy=7 AdminNetworkPolicy value
     * @property {number} BaselineAdminNetworkPolicy=8 BaselineAdminNetworkPolicy value
     * @property {number} Profile=9 Profile value
     * @property {number} EndOfTier=10 EndOfTier value
     * @property {number} ClusterNetworkPolicy=11 ClusterNetworkPolicy value
     */
    goldmane.PolicyKind = (function() {
        const valuesById = $Object.create(null), values = $Object.create(valuesById);
        values[valuesById[0] = "KindUnspecified"] = 0;
        values[valuesById[1] = "CalicoNetworkPolicy"] = 1;
        values[valuesById[2] = "GlobalNetworkPolicy"] = 2;
        values[valuesById[3] = "StagedNetworkPolicy"] = 3;
        values[valuesById[4] = "StagedGlobalNetworkPolicy"] = 4;
        values[valuesById[5] = "StagedKubernetesNetworkPolicy"] = 5;
        values[valuesById[6] = "NetworkPolicy"] = 6;
        values[valuesById[7] = "AdminNetworkPolicy"] = 7;
        values[valuesById[8] = "BaselineAdminNetworkPolicy"] = 8;
        values[valuesById[9] = "Profile"] = 9;
        values[valuesById[10] = "EndOfTier"] = 10;
        values[valuesById[11] = "ClusterNetworkPolicy"] = 11;
        return values;
    })();

    return goldmane;
})();

export {
  $root as default
};
