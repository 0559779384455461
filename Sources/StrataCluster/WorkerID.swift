/// A worker's node id, as sent in `RegisterRequest.node_id` (non-empty, unique in the cluster).
public typealias WorkerID = String
