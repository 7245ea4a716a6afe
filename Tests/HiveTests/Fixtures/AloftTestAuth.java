// The test server's password check (hive.server2.authentication=CUSTOM): one user, one password, so the
// tests can see wrong credentials refused. Compiled by HivePeer at start against Spark's jars.
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

public class AloftTestAuth implements PasswdAuthenticationProvider {
    @Override
    public void Authenticate(String user, String password) throws AuthenticationException {
        if (!"alice".equals(user) || !"hive-test-password".equals(password)) {
            throw new AuthenticationException("wrong user or password");
        }
    }
}
