import Testing

@Test func placeholderSparkTests() {}
