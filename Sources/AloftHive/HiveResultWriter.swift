/// Where fetched row sets go: a file in some format, written batch by batch, finished once.
public protocol HiveResultWriter: AnyObject {
    func append(_ set: HiveRowSet) throws(HiveError)
    func finish() throws(HiveError)
}

extension HiveCSVWriter: HiveResultWriter {}
extension HiveParquetWriter: HiveResultWriter {}
