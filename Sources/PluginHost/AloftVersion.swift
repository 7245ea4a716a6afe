import PluginABI

public enum AloftVersion {
    public static let string = "0.1.0"
    public static let abiMajor = Int(ALOFT_ABI_MAJOR)
    public static let abiMinor = Int(ALOFT_ABI_MINOR)
}
