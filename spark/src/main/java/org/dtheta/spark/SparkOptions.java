package org.dtheta.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.dtheta.core.kernel.Parallel;
import picocli.CommandLine.Option;

/** Where the tasks run and with how many threads: the options every job shares. */
final class SparkOptions {

  /**
   * The JVM options Spark needs on Java 17+ (its launcher's {@code JavaModuleOptions}, 4.2.0, with
   * the Vector API), given to executors that a cluster manager starts; bin/dtheta-spark reads the
   * same file. Written by the build from the spark module's pom (the one list).
   */
  static final String JAVA_OPTIONS = jvmOptions();

  private static String jvmOptions() {
    try (InputStream in = SparkOptions.class.getResourceAsStream("jvm-options.txt")) {
      if (in == null) {
        throw new IllegalStateException("jvm-options.txt is missing from the jar: rebuild it");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master: local[*] (embedded), local[N], local[N,F] (F attempts per task),"
          + " spark://host:port, yarn, k8s://... Default: spark-submit's --master, else"
          + " local[*,4] (every core, a failed task tried up to 4 times as on a cluster).")
  private String master;

  @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
      description = "dtheta kernel threads per task; also spark.task.cpus, so each task gets its"
          + " cores (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "Any Spark setting, e.g. --conf spark.executor.memory=8g (repeatable).")
  List<String> conf = new ArrayList<>();

  /**
   * The options alone, before anything is read or started; errors name the option. Then pins
   * this JVM's kernel threads to {@code --threads} (embedded, the tasks run here), unless
   * {@code -Ddtheta.threads} says otherwise: first, since the kernels read it once.
   */
  void check() {
    if (master != null && master.isBlank()) {
      throw new IllegalArgumentException("--master must name a Spark master, e.g. local[*]");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, not " + threads);
    }
    for (String kv : conf) {
      int eq = kv.indexOf('=');
      if (eq <= 0 || !kv.startsWith("spark.")) {
        throw new IllegalArgumentException("--conf wants spark.KEY=VALUE, not '" + kv + "'");
      }
    }
    if (System.getProperty("dtheta.threads") == null) {
      System.setProperty("dtheta.threads", Integer.toString(threads));
    }
  }

  /** Starts Spark for {@code app}, each task with {@code --threads} cores and kernel threads. */
  JavaSparkContext start(String app) {
    SparkConf sc = new SparkConf().setAppName(app).setMaster(master())
        .set("spark.task.cpus", Integer.toString(threads))
        .set("spark.ui.enabled", "false");
    // after any options of spark-submit's, which the SparkConf has read from system properties
    sc.set("spark.executor.extraJavaOptions", (JAVA_OPTIONS
        + " -Ddtheta.threads=" + threads + " " + sc.get("spark.executor.extraJavaOptions", "")).strip());
    for (String kv : conf) {
      int eq = kv.indexOf('=');
      sc.set(kv.substring(0, eq), kv.substring(eq + 1));
    }
    if (!sc.contains("spark.driver.host") && master().startsWith("local")) {
      sc.set("spark.driver.host", "127.0.0.1"); // embedded: never look up or bind a public name
      sc.set("spark.driver.bindAddress", "127.0.0.1");
    }
    return new JavaSparkContext(sc);
  }

  /**
   * Hadoop's settings with the {@code --conf spark.hadoop.KEY=VALUE} entries, as Spark will
   * have them: for reaching the output before Spark starts.
   */
  Configuration hadoopConfiguration() {
    Configuration hadoop = new Configuration();
    for (String kv : conf) {
      if (kv.startsWith("spark.hadoop.")) {
        int eq = kv.indexOf('=');
        hadoop.set(kv.substring("spark.hadoop.".length(), eq), kv.substring(eq + 1));
      }
    }
    return hadoop;
  }

  /**
   * {@code --master}, or the master spark-submit was given, or {@code local[*,4]}: embedded
   * Spark tries a failed task only once unless the master says otherwise, a cluster 4 times.
   */
  String master() {
    return master != null ? master : System.getProperty("spark.master", "local[*,4]");
  }

  /** The kernel threads of this JVM, to tell when they differ from {@code --threads}. */
  static int kernelThreads() {
    return Parallel.threads();
  }
}
