import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

extension Error {
    /// What went wrong in words, for an error message: a file operation's failure as the system names it ("No
    /// such file or directory", "Permission denied"), any other error as it describes itself. (Foundation's
    /// `localizedDescription` is not in FoundationEssentials.)
    public var systemText: String {
        if let cocoa = self as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
            return "file error \(cocoa.code.rawValue)"
        }
        if let posix = self as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        return "\(self)"
    }
}
