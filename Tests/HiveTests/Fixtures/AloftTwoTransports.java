// One Spark Thrift server process serving HiveServer2 in both transports: HTTP (hive.server2.thrift.http.port)
// and binary TCP with SASL (hive.server2.thrift.port), on one SparkSession, so the tests run one JVM. Each
// argument is a HiveServer2 setting KEY=VALUE (a session setting and a system property). Each service starts on a thread of its own: Hive keeps its
// session state per thread, and a second start on the same thread would reuse the first one's settings.
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;

public class AloftTwoTransports {
    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().enableHiveSupport().getOrCreate();
        for (String setting : args) {
            String[] kv = setting.split("=", 2);
            spark.conf().set(kv[0], kv[1]);
            // Also as a system property, as --hiveconf does: parts of HiveServer2 (the custom password check)
            // read a fresh HiveConf, which takes hive.* system properties.
            System.setProperty(kv[0], kv[1]);
        }
        for (String mode : new String[] {"binary", "http"}) {
            Thread t = new Thread(() -> {
                spark.conf().set("hive.server2.transport.mode", mode);
                HiveThriftServer2.startWithContext(spark.sqlContext());
            });
            t.start();
            t.join();
        }
        Thread.currentThread().join();
    }
}
