import * as $protobuf from "protobufjs";
import Long = require("long");

export namespace goldmane {

    interface IFlowStreamRequest extends goldmane.FlowStreamRequest.$Properties {
    }

    class FlowStreamRequest {
        constructor(properties?: goldmane.FlowStreamRequest.$Properties);
        $unknowns?: Uint8Array[];
        startTimeGte: number;
        filter?: (goldmane.Filter.$Properties|null);
        aggregationInterval: number;
        static encode(message: goldmane.FlowStreamRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.FlowStreamRequest & goldmane.FlowStreamRequest.$Shape;
    }

    namespace FlowStreamRequest {
        interface $Properties {
            startTimeGte?: (number|null);
            filter?: (goldmane.Filter.$Properties|null);
            aggregationInterval?: (number|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.FlowStreamRequest.$Properties;
    }

    interface IFilter extends goldmane.Filter.$Properties {
    }

    class Filter {
        constructor(properties?: goldmane.Filter.$Properties);
        $unknowns?: Uint8Array[];
        sourceNames: goldmane.StringMatch.$Properties[];
        sourceNamespaces: goldmane.StringMatch.$Properties[];
        destNames: goldmane.StringMatch.$Properties[];
        destNamespaces: goldmane.StringMatch.$Properties[];
        protocols: goldmane.StringMatch.$Properties[];
        destPorts: goldmane.PortMatch.$Properties[];
        actions: goldmane.Action[];
        reporter: goldmane.Reporter;
        pendingActions: goldmane.Action[];
        static encode(message: goldmane.Filter.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.Filter & goldmane.Filter.$Shape;
    }

    namespace Filter {
        interface $Properties {
            sourceNames?: (goldmane.StringMatch.$Properties[]|null);
            sourceNamespaces?: (goldmane.StringMatch.$Properties[]|null);
            destNames?: (goldmane.StringMatch.$Properties[]|null);
            destNamespaces?: (goldmane.StringMatch.$Properties[]|null);
            protocols?: (goldmane.StringMatch.$Properties[]|null);
            destPorts?: (goldmane.PortMatch.$Properties[]|null);
            actions?: (goldmane.Action[]|null);
            reporter?: (goldmane.Reporter|null);
            pendingActions?: (goldmane.Action[]|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.Filter.$Properties;
    }

    interface IStringMatch extends goldmane.StringMatch.$Properties {
    }

    class StringMatch {
        constructor(properties?: goldmane.StringMatch.$Properties);
        $unknowns?: Uint8Array[];
        value: string;
        type: goldmane.MatchType;
        static encode(message: goldmane.StringMatch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.StringMatch & goldmane.StringMatch.$Shape;
    }

    namespace StringMatch {
        interface $Properties {
            value?: (string|null);
            type?: (goldmane.MatchType|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.StringMatch.$Properties;
    }

    interface IPortMatch extends goldmane.PortMatch.$Properties {
    }

    class PortMatch {
        constructor(properties?: goldmane.PortMatch.$Properties);
        $unknowns?: Uint8Array[];
        port: number;
        static encode(message: goldmane.PortMatch.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.PortMatch & goldmane.PortMatch.$Shape;
    }

    namespace PortMatch {
        interface $Properties {
            port?: (number|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.PortMatch.$Properties;
    }

    enum MatchType {
        Exact = 0,
        Fuzzy = 1
    }

    interface IFlowResult extends goldmane.FlowResult.$Properties {
    }

    class FlowResult {
        constructor(properties?: goldmane.FlowResult.$Properties);
        $unknowns?: Uint8Array[];
        id: number;
        flow?: (goldmane.Flow.$Properties|null);
        static encode(message: goldmane.FlowResult.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.FlowResult & goldmane.FlowResult.$Shape;
    }

    namespace FlowResult {
        interface $Properties {
            id?: (number|null);
            flow?: (goldmane.Flow.$Properties|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.FlowResult.$Properties;
    }

    interface IFlow extends goldmane.Flow.$Properties {
    }

    class Flow {
        constructor(properties?: goldmane.Flow.$Properties);
        $unknowns?: Uint8Array[];
        Key?: (goldmane.FlowKey.$Properties|null);
        startTime: number;
        endTime: number;
        sourceLabels: string[];
        destLabels: string[];
        packetsIn: number;
        packetsOut: number;
        bytesIn: number;
        bytesOut: number;
        numConnectionsStarted: number;
        numConnectionsCompleted: number;
        numConnectionsLive: number;
        static encode(message: goldmane.Flow.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.Flow & goldmane.Flow.$Shape;
    }

    namespace Flow {
        interface $Properties {
            Key?: (goldmane.FlowKey.$Properties|null);
            startTime?: (number|null);
            endTime?: (number|null);
            sourceLabels?: (string[]|null);
            destLabels?: (string[]|null);
            packetsIn?: (number|null);
            packetsOut?: (number|null);
            bytesIn?: (number|null);
            bytesOut?: (number|null);
            numConnectionsStarted?: (number|null);
            numConnectionsCompleted?: (number|null);
            numConnectionsLive?: (number|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.Flow.$Properties;
    }

    interface IFlowKey extends goldmane.FlowKey.$Properties {
    }

    class FlowKey {
        constructor(properties?: goldmane.FlowKey.$Properties);
        $unknowns?: Uint8Array[];
        sourceName: string;
        sourceNamespace: string;
        sourceType: goldmane.EndpointType;
        destName: string;
        destNamespace: string;
        destType: goldmane.EndpointType;
        destPort: number;
        destServiceName: string;
        destServiceNamespace: string;
        destServicePortName: string;
        destServicePort: number;
        proto: string;
        reporter: goldmane.Reporter;
        action: goldmane.Action;
        policies?: (goldmane.PolicyTrace.$Properties|null);
        static encode(message: goldmane.FlowKey.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.FlowKey & goldmane.FlowKey.$Shape;
    }

    namespace FlowKey {
        interface $Properties {
            sourceName?: (string|null);
            sourceNamespace?: (string|null);
            sourceType?: (goldmane.EndpointType|null);
            destName?: (string|null);
            destNamespace?: (string|null);
            destType?: (goldmane.EndpointType|null);
            destPort?: (number|null);
            destServiceName?: (string|null);
            destServiceNamespace?: (string|null);
            destServicePortName?: (string|null);
            destServicePort?: (number|null);
            proto?: (string|null);
            reporter?: (goldmane.Reporter|null);
            action?: (goldmane.Action|null);
            policies?: (goldmane.PolicyTrace.$Properties|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.FlowKey.$Properties;
    }

    interface IPolicyTrace extends goldmane.PolicyTrace.$Properties {
    }

    class PolicyTrace {
        constructor(properties?: goldmane.PolicyTrace.$Properties);
        $unknowns?: Uint8Array[];
        enforcedPolicies: goldmane.PolicyHit.$Properties[];
        pendingPolicies: goldmane.PolicyHit.$Properties[];
        static encode(message: goldmane.PolicyTrace.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.PolicyTrace & goldmane.PolicyTrace.$Shape;
    }

    namespace PolicyTrace {
        interface $Properties {
            enforcedPolicies?: (goldmane.PolicyHit.$Properties[]|null);
            pendingPolicies?: (goldmane.PolicyHit.$Properties[]|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.PolicyTrace.$Properties;
    }

    interface IPolicyHit extends goldmane.PolicyHit.$Properties {
    }

    class PolicyHit {
        constructor(properties?: goldmane.PolicyHit.$Properties);
        $unknowns?: Uint8Array[];
        kind: goldmane.PolicyKind;
        namespace: string;
        name: string;
        tier: string;
        action: goldmane.Action;
        policyIndex: number;
        ruleIndex: number;
        trigger?: (goldmane.PolicyHit.$Properties|null);
        static encode(message: goldmane.PolicyHit.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;
        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): goldmane.PolicyHit & goldmane.PolicyHit.$Shape;
    }

    namespace PolicyHit {
        interface $Properties {
            kind?: (goldmane.PolicyKind|null);
            namespace?: (string|null);
            name?: (string|null);
            tier?: (string|null);
            action?: (goldmane.Action|null);
            policyIndex?: (number|null);
            ruleIndex?: (number|null);
            trigger?: (goldmane.PolicyHit.$Properties|null);
            $unknowns?: Uint8Array[];
        }
        type $Shape = goldmane.PolicyHit.$Properties;
    }

    enum Action {
        ActionUnspecified = 0,
        Allow = 1,
        Deny = 2,
        Pass = 3
    }

    enum Reporter {
        ReporterUnspecified = 0,
        Src = 1,
        Dst = 2
    }

    enum EndpointType {
        EndpointTypeUnspecified = 0,
        WorkloadEndpoint = 1,
        HostEndpoint = 2,
        NetworkSet = 3,
        Network = 4
    }

    enum PolicyKind {
        KindUnspecified = 0,
        CalicoNetworkPolicy = 1,
        GlobalNetworkPolicy = 2,
        StagedNetworkPolicy = 3,
        StagedGlobalNetworkPolicy = 4,
        StagedKubernetesNetworkPolicy = 5,
        NetworkPolicy = 6,
        AdminNetworkPolicy = 7,
        BaselineAdminNetworkPolicy = 8,
        Profile = 9,
        EndOfTier = 10,
        ClusterNetworkPolicy = 11
    }
}
