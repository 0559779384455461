import Foundation

/// A loopback TCP port nobody listens on now (the kernel's choice for port 0), for processes
/// a test or benchmark starts on free ports. Another process may take it before it is used:
/// callers that start a server on it retry on another port when the bind fails.
public enum LoopbackPort {
    public static func unused() throws(StrataError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StrataError(.internal, "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw StrataError(.internal, "bind() on loopback failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
