extension AWSError {
    /// The service's error code, e.g. `ValidationException`, `NoSuchKey`: AWS's vocabulary, an open set, so
    /// a code is its string (``rawValue``, as the service spelled it); the codes Aloft acts on have a static
    /// member each. There is no string literal conversion: compare with the members (`code == .noSuchKey`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as the service spelled it (after `namespace#` and `:uri` are cut off); empty when the
        /// answer had none.
        public let rawValue: String

        /// The code the service's answer named.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// True when the answer named no code.
        public var isEmpty: Bool { rawValue.isEmpty }

        public var description: String { rawValue }

        /// No code: the request never got an answer, or the answer named none.
        public static let none = Code(rawValue: "")

        // MARK: Codes Aloft acts on

        /// S3: no object at that key.
        public static let noSuchKey = Code(rawValue: "NoSuchKey")
        /// A 403 whose answer named no code (a HEAD has no body).
        public static let forbidden = Code(rawValue: "Forbidden")
        /// The request was refused as invalid; SageMaker also says "no such job" this way.
        public static let validationException = Code(rawValue: "ValidationException")
        /// SageMaker: no such resource.
        public static let resourceNotFound = Code(rawValue: "ResourceNotFound")
        /// SageMaker: a resource of that name exists already.
        public static let resourceInUse = Code(rawValue: "ResourceInUse")
        /// Aloft's own: a successful answer whose body is not JSON.
        public static let badResponse = Code(rawValue: "BadResponse")

        /// The codes that mean the credentials are wrong (unknown key id, bad signature, expired token).
        static let credentials: Set<Code> = Set(
            [
                "SignatureDoesNotMatch", "InvalidClientTokenId", "InvalidAccessKeyId", "UnrecognizedClientException",
                "InvalidSignatureException", "ExpiredToken", "ExpiredTokenException", "IncompleteSignature",
                "MissingAuthenticationToken", "MissingAuthenticationTokenException", "AuthFailure",
            ].map(Code.init(rawValue:)))

        /// The codes that mean "slow down".
        static let throttling: Set<Code> = Set(
            [
                "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
                "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException",
            ].map(Code.init(rawValue:)))
    }
}
