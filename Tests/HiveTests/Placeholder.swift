import Testing

@Test func placeholderHiveTests() {}
