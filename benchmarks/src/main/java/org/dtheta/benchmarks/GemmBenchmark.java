package org.dtheta.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dtheta.core.kernel.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The matrix products of a two-layer 784-50-10 network on {@code k} samples with {@code m}
 * directions, through {@link Kernels#gemm} (the selected implementation, split over
 * {@code dtheta.threads} cores). Average time per product; {@code benchmarks/report} turns it into
 * GFLOP/s from {@link #flops}.
 *
 * <p>Shapes ({@code C = op(A) op(B)}, sizes {@code M x N x K}):
 *
 * <ul>
 *   <li>{@code XW1}: X W1, {@code k x 50m x 784}, X with 19% nonzeros (MNIST-like);
 *   <li>{@code XW1dense}: the same with a dense X (the kernel's dense rate);
 *   <li>{@code XtD}: X^T D, {@code 784 x 50m x k}, sparse X;
 *   <li>{@code XtDdense}: the same with a dense X;
 *   <li>{@code Z1W2}: Z1 W2, {@code k x 10m x 50};
 *   <li>{@code DW2t}: D W2^T with D as {@code (k m) x 10}, {@code km x 50 x 10};
 *   <li>{@code Z1tD}: Z1^T D, {@code 50 x 10m x k}.
 * </ul>
 *
 * The vector fork gets {@code --add-modules=jdk.incubator.vector}; run with {@code
 * -jvmArgsPrepend -Ddtheta.kernels=scalar} for the scalar kernels (the module is then absent).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx4g", "-Xms4g", "-XX:+AlwaysPreTouch"})
public class GemmBenchmark {

  /** Which product (see the class comment). */
  @Param({"XW1", "XW1dense", "XtD", "XtDdense", "Z1W2", "DW2t", "Z1tD"})
  public String shape;

  /** Samples. */
  @Param({"60000"})
  public int k;

  /** Directions (columns of the tangent blocks). */
  @Param({"1"})
  public int m;

  // Non-final inputs, so the JIT cannot constant-fold them (JMH sample 10).
  private boolean transA;
  private boolean transB;
  private int rows;
  private int cols;
  private int inner;
  private double[] a;
  private double[] b;
  private double[] c;

  /** Dense-equivalent floating-point operations of one product of this shape: 2 M N K. */
  public static double flops(String shape, int k, int m) {
    int[] s = sizes(shape, k, m);
    return 2.0 * s[0] * s[1] * s[2];
  }

  /** {M, N, K, transA, transB (0/1), sparse X (0/1)} of a shape. */
  static int[] sizes(String shape, int k, int m) {
    switch (shape) {
      case "XW1":
        return new int[] {k, 50 * m, 784, 0, 0, 1};
      case "XW1dense":
        return new int[] {k, 50 * m, 784, 0, 0, 0};
      case "XtD":
        return new int[] {784, 50 * m, k, 1, 0, 1};
      case "XtDdense":
        return new int[] {784, 50 * m, k, 1, 0, 0};
      case "Z1W2":
        return new int[] {k, 10 * m, 50, 0, 0, 0};
      case "DW2t":
        return new int[] {k * m, 50, 10, 0, 1, 0};
      case "Z1tD":
        return new int[] {50, 10 * m, k, 1, 0, 0};
      default:
        throw new IllegalArgumentException("unknown shape '" + shape + "'");
    }
  }

  /** Builds the operands: X-like factors uniform in [0, 1) with 19% nonzeros, others N(0, 1). */
  @Setup
  public void setUp() {
    int[] s = sizes(shape, k, m);
    rows = s[0];
    cols = s[1];
    inner = s[2];
    transA = s[3] == 1;
    transB = s[4] == 1;
    Random rnd = new Random(42);
    a = new double[Math.multiplyExact(rows, inner)];
    for (int i = 0; i < a.length; i++) {
      a[i] = s[5] == 1 ? (rnd.nextDouble() < 0.19 ? rnd.nextDouble() : 0.0) : rnd.nextGaussian();
    }
    b = new double[Math.multiplyExact(inner, cols)];
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextGaussian();
    }
    c = new double[Math.multiplyExact(rows, cols)];
    System.out.println("# kernels: " + Kernels.implementationName() + ", threads: "
        + org.dtheta.core.kernel.Parallel.threads());
  }

  /** One product {@code C = op(A) op(B)}. */
  @Benchmark
  public double[] gemm() {
    int lda = transA ? rows : inner;
    int ldb = transB ? inner : cols;
    Kernels.gemm(transA, transB, rows, cols, inner, 1.0, a, 0, lda, b, 0, ldb, 0.0, c, 0, cols);
    return c;
  }
}
