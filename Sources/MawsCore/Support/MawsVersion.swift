package enum MawsVersion {
    package static let current = "0.1.0"
}
