package org.dtheta.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dtheta.mnist.MnistApp;
import picocli.CommandLine;

/** A small MNIST-format folder, and in-process runs of dtheta and dtheta-spark, for the tests. */
final class TinyMnist {

  private TinyMnist() {}

  /** Four IDX files: {@code train} and {@code test} random sparse images, random labels. */
  static Path write(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, train, 784, 11));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, train, 1, 12));
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, test, 784, 13));
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, test, 1, 14));
    return dir;
  }

  private static byte[] idx(int magic, int n, int size, long seed) {
    boolean images = size > 1;
    ByteBuffer b = ByteBuffer.allocate(4 + (images ? 12 : 4) + n * size);
    b.putInt(magic).putInt(n);
    if (images) {
      b.putInt(28).putInt(28);
    }
    Random r = new Random(seed);
    for (int i = 0; i < n * size; i++) {
      b.put((byte) (images ? (r.nextInt(4) == 0 ? r.nextInt(256) : 0) : r.nextInt(10)));
    }
    return b.array();
  }

  /**
   * What a command printed and returned.
   *
   * @param code exit code
   * @param out standard output
   * @param err standard error
   */
  record Result(int code, String out, String err) {}

  /** {@code dtheta words}, in this JVM. */
  static Result dtheta(String... words) {
    return run(MnistApp.commandLine(), words);
  }

  /** {@code dtheta-spark words}, in this JVM. */
  static Result dthetaSpark(String... words) {
    return run(DthetaSpark.commandLine(), words);
  }

  private static Result run(CommandLine cmd, String... words) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(words);
    return new Result(code, out.toString(), err.toString());
  }
}
