import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;

/**
 * What {@code mvn -q exec:java} runs: Maven's exec:java never compiles, so on a clean clone there
 * would be nothing to run. This single-file program (run by the JDK's source launcher, see pom.xml
 * and .mvn/jvm.config) compiles the project with the same Maven, then starts io.payrouter.Main
 * from target/classes on the project's runtime classpath. Settings come from the environment
 * (ROUTER_PORT, ROUTER_CONFIG, ROUTER_DATABASE_URL, ...).
 */
public class RunFromSources {
  public static void main(String[] args) throws Exception {
    String mvn = System.getProperty("maven.home") + File.separator + "bin" + File.separator + "mvn";
    Process p = new ProcessBuilder(mvn, "-q", "-B", "compile").inheritIO().start();
    if (p.waitFor() != 0) {
      System.err.println("compilation failed");
      System.exit(1);
    }
    // Logback is loaded by the parent loader, which cannot see target/classes: name its config.
    System.setProperty("logback.configurationFile", new File("target/classes/logback.xml").getAbsolutePath());
    ClassLoader project = new URLClassLoader(new URL[] {new File("target/classes/").toURI().toURL()},
        Thread.currentThread().getContextClassLoader());
    Thread.currentThread().setContextClassLoader(project);
    Method main = project.loadClass("io.payrouter.Main").getMethod("main", String[].class);
    main.invoke(null, (Object) args);
  }
}
