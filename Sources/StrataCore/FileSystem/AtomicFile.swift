/// Writes a whole file so that a crash leaves either the old file or the complete new one:
/// temp file, write, fsync, rename over the target, fsync the directory.
/// The store writes its manifest with it; the coordinator its cluster map and namespaces, a
/// node its identity.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to name: String, in directory: String, fs: any StoreFileSystem) throws(StrataError) {
        let path = StorePath.join(directory, name)
        let temp = path + ".tmp"
        let file = try fs.open(temp, create: true)
        do throws(StrataError) {
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
            try fs.rename(temp, to: path)
            try fs.syncDirectory(directory)
        } catch {
            file.close()
            try? fs.remove(temp)
            throw error
        }
    }

    /// The same for a path on the real file system (full disk: resourceExhausted).
    public static func replace(_ path: String, with bytes: [UInt8]) throws(StrataError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        try write(bytes, to: name, in: directory.isEmpty ? "/" : directory, fs: PosixFileSystem())
    }
}
