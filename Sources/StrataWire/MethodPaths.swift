/// Service names and method paths of the Strata contract (Proto/), in one place.
public enum StrataServiceName {
    public static let coordinator = "strata.v1.Coordinator"
    public static let membership = "strata.v1.Membership"
    public static let worker = "strata.v1.Worker"
    public static let health = "grpc.health.v1.Health"
}

/// Full method paths, for clients.
public enum MethodPath {
    public static let healthCheck = "/grpc.health.v1.Health/Check"
    public static let healthWatch = "/grpc.health.v1.Health/Watch"
    public static let workerStatus = "/strata.v1.Worker/Status"
    public static let coordinatorNodeStatus = "/strata.v1.Coordinator/GetNodeStatus"
}
