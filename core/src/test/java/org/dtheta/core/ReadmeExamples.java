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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles and runs the Java examples of the README, and reads what they print: the tests of
 * each module (core's {@code ReadmeExampleTest}, nn's {@code ReadmeMlpExampleTest}, through
 * core's test-jar) check the examples that use that module's classes.
 *
 * <p>An example is the first {@code ```java} block of a README section (a whole {@code "## ..."}
 * line up to the next one), declaring one public class with a {@code main}; it is compiled
 * against the running test's class path and its {@code main} run in this JVM with {@code
 * System.out} captured. Printed results are read from lines {@code "label = value"}.
 */
public final class ReadmeExamples {

  /** The README, relative to a module folder (where surefire runs the tests). */
  public static final Path README = Path.of("..", "README.md");

  private ReadmeExamples() {}

  /**
   * The example of the section {@code heading} of {@link #README}, written to {@code dir},
   * compiled against the test class path and run; returns what it printed.
   */
  public static String compileAndRun(String heading, Path dir) throws Exception {
    return compile(exampleSource(Files.readString(README, StandardCharsets.UTF_8), heading),
        heading, dir);
  }

  /**
   * As {@link #compileAndRun(String, Path)}, for the {@code ```java} block of the section that
   * declares {@code public class className} (a section with several examples).
   */
  public static String compileAndRun(String heading, String className, Path dir)
      throws Exception {
    return compile(
        exampleSource(Files.readString(README, StandardCharsets.UTF_8), heading, className),
        heading, dir);
  }

  private static String compile(String source, String heading, Path dir) throws Exception {
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

  /** The first {@code ```java} block after the {@code heading} (a whole "## ..." line). */
  public static String exampleSource(String readme, String heading) {
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

  /** The {@code ```java} block of the section {@code heading} declaring {@code className}. */
  public static String exampleSource(String readme, String heading, String className) {
    int section = readme.indexOf("\n" + heading + "\n");
    assertTrue(section >= 0, "README.md has no '" + heading + "' section");
    int next = readme.indexOf("\n## ", section + 1);
    int sectionEnd = next < 0 ? readme.length() : next;
    int start = readme.indexOf("```java\n", section);
    while (start >= 0 && start < sectionEnd) {
      int from = start + "```java\n".length();
      int end = readme.indexOf("\n```", from);
      assertTrue(end > from, "a ```java block of '" + heading + "' is not closed");
      String source = readme.substring(from, end + 1);
      if (source.contains("public class " + className + " ")) {
        return source;
      }
      start = readme.indexOf("```java\n", end + 4);
    }
    throw new AssertionError(
        "the '" + heading + "' section has no ```java block declaring class " + className);
  }

  /** What follows {@code "label = "} on the first line starting so. */
  public static String line(String output, String label) {
    for (String line : output.split("\\R")) {
      if (line.startsWith(label + " = ")) {
        return line.substring(label.length() + 3).trim();
      }
    }
    throw new AssertionError("the example printed no '" + label + " = ' line; output:\n" + output);
  }

  /** The number printed as {@code "label = x"}. */
  public static double number(String output, String label) {
    return Double.parseDouble(line(output, label));
  }

  /** The numbers printed as {@code "label = [x, y, ...]"} ({@code Arrays.toString}). */
  public static double[] numbers(String output, String label) {
    String list = line(output, label);
    assertTrue(list.startsWith("[") && list.endsWith("]"),
        "'" + label + "' is not printed as a [..] list: " + list);
    return Arrays.stream(list.substring(1, list.length() - 1).split(","))
        .mapToDouble(s -> Double.parseDouble(s.trim()))
        .toArray();
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
        ReadmeExamples.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** {@code actual} within 1e-12 relative (plus 1e-12 absolute) of {@code expected}. */
  public static void assertClose(double expected, double actual, String what) {
    assertEquals(expected, actual, 1e-12 * (1 + Math.abs(expected)), what);
  }

  /** {@link #assertClose(double, double, String)} entry by entry, lengths equal. */
  public static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertClose(expected[i], actual[i], what + "[" + i + "]");
    }
  }
}
