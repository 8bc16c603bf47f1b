public enum MawsVersion {
    public static let current = "0.1.0"
}
