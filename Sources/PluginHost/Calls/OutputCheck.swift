import AloftWire

/// The error for outputs that do not match the task's declared interface, if they do not.
func outputMismatch(_ outputs: LiteralMap, against types: TypeMap?) -> TaskError? {
    guard let types else { return nil }
    let problems = outputs.mismatches(against: types)
    if problems.isEmpty { return nil }
    return TaskError(
        kind: .user, retryable: false, code: .outputMismatch,
        message: "outputs do not match the task's interface: " + problems.joined(separator: "; "))
}
