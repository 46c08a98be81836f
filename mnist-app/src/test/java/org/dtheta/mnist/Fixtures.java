package org.dtheta.mnist;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;

/** Small MNIST-shaped IDX files and an in-process runner of the command line. */
final class Fixtures {

  private Fixtures() {}

  static final int TRAIN = 20;
  static final int TEST = 10;

  /** An IDX file: magic, sizes, then the bytes. */
  static byte[] idx(int magic, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(data);
    return b.array();
  }

  static byte[] images(int n, long seed) {
    byte[] pixels = new byte[n * 784];
    Random r = new Random(seed);
    for (int i = 0; i < pixels.length; i++) {
      // about 80% zeros, like MNIST
      pixels[i] = r.nextInt(5) == 0 ? (byte) r.nextInt(256) : 0;
    }
    return idx(0x803, new int[] {n, 28, 28}, pixels);
  }

  static byte[] labels(int n, long seed) {
    byte[] labels = new byte[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) r.nextInt(10);
    }
    return idx(0x801, new int[] {n}, labels);
  }

  /** A folder with a small valid MNIST: 20 training and 10 test images, raw (or .gz). */
  static Path mnist(Path dir, boolean gzip) throws IOException {
    return mnist(dir, TRAIN, TEST, gzip);
  }

  /** A folder with a small valid MNIST of {@code train} and {@code test} images. */
  static Path mnist(Path dir, int train, int test, boolean gzip) throws IOException {
    Files.createDirectories(dir);
    write(dir, "train-images-idx3-ubyte", images(train, 1), gzip);
    write(dir, "train-labels-idx1-ubyte", labels(train, 2), gzip);
    write(dir, "t10k-images-idx3-ubyte", images(test, 3), gzip);
    write(dir, "t10k-labels-idx1-ubyte", labels(test, 4), gzip);
    return dir;
  }

  static void write(Path dir, String name, byte[] content, boolean gzip) throws IOException {
    if (!gzip) {
      Files.write(dir.resolve(name), content);
      return;
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz")))) {
      out.write(content);
    }
  }

  /**
   * {@code base} arguments with each {@code --option value} pair or flag of {@code extra}
   * replacing the same option in {@code base} (picocli rejects an option given twice).
   */
  static String[] withOptions(java.util.List<String> base, String... extra) {
    java.util.List<String> args = new java.util.ArrayList<>(base);
    for (int i = 0; i < extra.length; i++) {
      boolean flag = i + 1 >= extra.length || extra[i + 1].startsWith("--");
      int at = args.indexOf(extra[i]);
      if (at >= 0) {
        args.remove(at);
        if (!flag) {
          args.remove(at);
        }
      }
      args.add(extra[i]);
      if (!flag) {
        args.add(extra[++i]);
      }
    }
    return args.toArray(String[]::new);
  }

  /**
   * The command line of a fresh JVM running {@code mainClass} on this test's class path, with
   * the Vector API module when this JVM has it (the same kernels), then {@code words}: JVM
   * options first (such as {@code -Ddtheta.threads=1}), then the class's arguments.
   */
  static java.util.List<String> javaCommand(java.util.List<String> jvmOptions, Class<?> mainClass,
      java.util.List<String> args) {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path")));
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      command.add("--add-modules=jdk.incubator.vector");
    }
    command.addAll(jvmOptions);
    command.add(mainClass.getName());
    command.addAll(args);
    return command;
  }

  /** What a command printed and returned. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  /** Runs {@code dtheta args...} in this JVM. */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = MnistApp.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
