import Glibc

/// Path arithmetic on plain strings, as the shell does it.
public enum Paths {
    /// Returns the directory part of `path`: "." for a bare file name, "/" for a file at the root.
    public static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    public enum Kind {
        case missing, file, directory
    }

    /// Reports what kind of entry is at `path`, following symbolic links.
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        return (status.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    /// Returns the size of the file at `path` in bytes, or 0 when there is none.
    public static func size(of path: String) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0 }
        return Int(status.st_size)
    }

    public static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
