import Testing

@Test func placeholderBigQueryTests() {}
