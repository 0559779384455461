import StrataCore

/// Writes a whole file so that a crash leaves either the old file or the complete new one:
/// temp file, write, fsync, rename over the target, fsync the directory.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to name: String, in directory: String, fs: any StoreFileSystem) throws(StrataError) {
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
}
