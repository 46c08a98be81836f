package org.dtheta.core.internal.kernel;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * Run in a fresh JVM by {@link JitStageDeterminismTest}: the selected kernels' sigmoid, sum and
 * dot on fixed inputs, after {@code args[0]} warm-up rounds, written as raw bits to
 * {@code args[1]}; prints the kernels' name.
 */
final class JitStageProbe {

  private JitStageProbe() {}

  /** Lengths with vector bodies and tails of every size on 4- and 8-lane vectors. */
  static final int[] LENGTHS = {1, 3, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 50, 63, 64, 65, 127,
      130, 257, 1001, 4099};

  public static void main(String[] args) throws IOException {
    KernelSupport k = KernelProvider.get();
    int warmUp = Integer.parseInt(args[0]);
    int n = 4101; // the longest length at offset 1, and a spare
    double[] x = inputs(n);
    double[] w = new double[n];
    Random rnd = new Random(3);
    for (int i = 0; i < n; i++) {
      w[i] = rnd.nextGaussian();
    }
    double[] y = new double[n + 1];
    double sink = 0;
    for (int r = 0; r < warmUp; r++) {
      int len = LENGTHS[r % LENGTHS.length] % 300; // short calls: many compilations, cheap
      k.map(UnaryFunction.SIGMOID, len, x, r % 3, y, 1);
      sink += k.sum(len, w, r % 3) + k.dot(len, x, 1, w, r % 3);
    }
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[1])))) {
      for (int len : LENGTHS) {
        for (int off = 0; off < 2; off++) {
          k.map(UnaryFunction.SIGMOID, len, x, off, y, 1 - off);
          for (int i = 0; i < len; i++) {
            out.writeLong(Double.doubleToRawLongBits(y[1 - off + i]));
          }
          out.writeLong(Double.doubleToRawLongBits(k.sum(len, w, off)));
          out.writeLong(Double.doubleToRawLongBits(k.dot(len, x, off, w, 1 - off)));
        }
      }
    }
    System.out.println(k.name() + (sink == 42 ? " " : ""));
  }

  /** Sigmoid arguments: moderate values, large ones, and values at the vector path's limit. */
  static double[] inputs(int n) {
    Random rnd = new Random(7);
    double[] special = {0.0, -0.0, 1e-300, -1e-17, 699.99, -699.99, 700.0, -700.0, 700.01,
        -700.01, 708.0, -708.0, 745.2, -745.2, 800.0, -800.0};
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      switch (i % 4) {
        case 0: x[i] = 8 * rnd.nextGaussian(); break;
        case 1: x[i] = 1400 * rnd.nextDouble() - 700; break;
        case 2: x[i] = special[rnd.nextInt(special.length)]; break;
        default: x[i] = rnd.nextDouble() - 0.5;
      }
    }
    return x;
  }
}
