package org.dtheta.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples in the README's "Use the library" and "Use as a dependency" sections compile
 * against this module, run, and print the value, gradient and Hessian-vector product of their
 * function (the same in both) as computed here in closed form; the second also prints the
 * Hessian's extreme eigenvalues, found by Lanczos on Hessian products, which must be those of
 * the closed-form 2 x 2 Hessian.
 */
class ReadmeExampleTest {

  /** Relative to the core module, where surefire runs the tests. */
  private static final Path README = Path.of("..", "README.md");

  @Test
  void readmeExampleCompilesRunsAndPrintsTheClosedFormDerivatives(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use the library", dir);
    assertDerivatives(output);
  }

  @Test
  void dependencyExamplePrintsTheDerivativesAndTheHessianEigenvalues(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use as a dependency", dir);
    assertDerivatives(output);
    double[] eigenvalues = expectedHessianEigenvalues();
    assertClose(new double[] {eigenvalues[1]}, numbers(output, "largest"), "largest");
    assertClose(new double[] {eigenvalues[0]}, numbers(output, "smallest"), "smallest");
  }

  /** The section's example, written to {@code dir}, compiled against the test class path, run. */
  private static String compileAndRun(String heading, Path dir) throws Exception {
    String source = exampleSource(Files.readString(README, StandardCharsets.UTF_8), heading);
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(name.find(), "the README example under " + heading + " declares no public class");
    Path file = dir.resolve(name.group(1) + ".java");
    Files.writeString(file, source, StandardCharsets.UTF_8);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK with javax.tools");
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics,
        "-classpath", testClassPath(), "-d", dir.toString(), file.toString());
    assertEquals(0, status,
        "the README example under " + heading + " does not compile:\n" + diagnostics);
    return runMain(dir, name.group(1));
  }

  private static void assertDerivatives(String output) {
    assertClose(expectedValue(), number(output, "value"), "value");
    assertClose(expectedGradient(), numbers(output, "gradient"), "gradient");
    assertClose(expectedHessianTimes(new double[] {1, -1}), numbers(output, "H v"), "H v");
  }

  // ---- the example's function in closed form ----
  // f(w) = sum_i (tanh(x_i . w) - y_i)^2 + (lambda/2)|w|^2 at w = (0.3, -0.4); with t = tanh(z),
  // r = t - y: grad = X^T (2 r (1 - t^2)) + lambda w,
  // H = X^T diag(2 (1 - t^2)^2 - 4 r t (1 - t^2)) X + lambda I.

  private static final double[][] X = {{1, 2}, {0, 1}, {-1, 0.5}};
  private static final double[] Y = {0.5, 0, -0.5};
  private static final double LAMBDA = 0.1;
  private static final double[] W = {0.3, -0.4};

  private static double tanhOfRow(int i) {
    return Math.tanh(X[i][0] * W[0] + X[i][1] * W[1]);
  }

  private static double expectedValue() {
    double f = 0.5 * LAMBDA * (W[0] * W[0] + W[1] * W[1]);
    for (int i = 0; i < X.length; i++) {
      double r = tanhOfRow(i) - Y[i];
      f += r * r;
    }
    return f;
  }

  private static double[] expectedGradient() {
    double[] g = {LAMBDA * W[0], LAMBDA * W[1]};
    for (int i = 0; i < X.length; i++) {
      double t = tanhOfRow(i);
      double dz = 2 * (t - Y[i]) * (1 - t * t);
      g[0] += dz * X[i][0];
      g[1] += dz * X[i][1];
    }
    return g;
  }

  private static double[] expectedHessianTimes(double[] v) {
    double[] hv = {LAMBDA * v[0], LAMBDA * v[1]};
    for (int i = 0; i < X.length; i++) {
      double t = tanhOfRow(i);
      double s = 1 - t * t;
      double curvature = 2 * s * s - 4 * (t - Y[i]) * t * s;
      double xv = X[i][0] * v[0] + X[i][1] * v[1];
      hv[0] += curvature * xv * X[i][0];
      hv[1] += curvature * xv * X[i][1];
    }
    return hv;
  }

  /** The eigenvalues of the closed-form Hessian (columns {@code H e1}, {@code H e2}), ascending. */
  private static double[] expectedHessianEigenvalues() {
    double[] c1 = expectedHessianTimes(new double[] {1, 0});
    double[] c2 = expectedHessianTimes(new double[] {0, 1});
    double a = c1[0];
    double b = 0.5 * (c1[1] + c2[0]);
    double d = c2[1];
    double mean = 0.5 * (a + d);
    double radius = Math.hypot(0.5 * (a - d), b);
    return new double[] {mean - radius, mean + radius};
  }

  // ---- plumbing ----

  /** The first {@code ```java} block after the {@code heading} (a whole "## ..." line). */
  static String exampleSource(String readme, String heading) {
    int section = readme.indexOf("\n" + heading + "\n");
    assertTrue(section >= 0, "README.md has no '" + heading + "' section");
    int next = readme.indexOf("\n## ", section + 1);
    int start = readme.indexOf("```java\n", section);
    assertTrue(start >= 0 && (next < 0 || start < next),
        "the '" + heading + "' section has no ```java block");
    start += "```java\n".length();
    int end = readme.indexOf("\n```", start);
    assertTrue(end > start, "the ```java block is not closed");
    return readme.substring(start, end + 1);
  }

  /**
   * The test class path: surefire passes it in {@code surefire.test.class.path} (the JVM's own
   * {@code java.class.path} may be a single manifest-only jar).
   */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isEmpty() ? surefire : System.getProperty("java.class.path");
  }

  private static String runMain(Path classes, String className) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        ReadmeExampleTest.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  private static String line(String output, String label) {
    for (String line : output.split("\\R")) {
      if (line.startsWith(label + " = ")) {
        return line.substring(label.length() + 3).trim();
      }
    }
    throw new AssertionError("the example printed no '" + label + " = ' line; output:\n" + output);
  }

  private static double number(String output, String label) {
    return Double.parseDouble(line(output, label));
  }

  private static double[] numbers(String output, String label) {
    String list = line(output, label);
    List<String> parts = Arrays.asList(list.substring(1, list.length() - 1).split(","));
    return parts.stream().mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
  }

  private static void assertClose(double expected, double actual, String what) {
    assertEquals(expected, actual, 1e-12 * (1 + Math.abs(expected)), what);
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], actual[i], what + "[" + i + "]");
    }
  }
}
