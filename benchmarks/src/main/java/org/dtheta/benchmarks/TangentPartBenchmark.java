package org.dtheta.benchmarks;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseKernels;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.Presets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The four passes that take most of one part of {@code H V} with 50 directions on the 784-50-10
 * network: at k = 60000, {@code TwoLayerNet} runs the product over parts of 7456 samples, and in
 * a tape profile (JDK 17, MNIST) these passes were about 2.5 of its 2.8 s. Timed one at a time
 * at the part's shapes, they are steadier than the whole product (about 100 ms per call instead
 * of 3 s, many calls per iteration), so a change to one of them can be measured against this
 * machine's noise. {@code pass}:
 *
 * <ul>
 *   <li>{@code sparseForward}: {@code Z1dot = X W1dot + 1 b1dot^T}, X the part's samples
 *       ({@code 7456 x 784}, sparse), W1dot {@code 784 x 2500} (50 hidden units times 50
 *       directions), through {@link CsrMatrix#multiplyAffine};
 *   <li>{@code sparseTranspose}: {@code W1bardot += X^T Z1bardot} and the column sums (the
 *       bias's share), through {@link CsrMatrix#multiplyTransposedWithColumnSums};
 *   <li>{@code activationTangent}: {@code (f'(Z1) Z1dot) W2}, the tangent sweep of the hidden
 *       layer ({@link Kernels#activationTangent});
 *   <li>{@code activationAdjointTangent}: its second-order reverse sweep ({@link
 *       Kernels#activationAdjointTangent}), in blocks of 16 rows on each core as the network's
 *       op calls it (a block's buffers stay in cache).
 * </ul>
 *
 * Samples as in {@link NetProblem}: the MNIST images by default (where rows and columns are
 * gathered in pairs), {@code -p data=random} for random MNIST-like rows. The dense operands are
 * N(0, 1), f' is in (0, 1/4] like a sigmoid's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// Five warm-up iterations: with three, activationAdjointTangent still drifted from 81 to 50 ms.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsPrepend = "--add-modules=jdk.incubator.vector",
    jvmArgsAppend = {"-Xmx4g", "-Xms4g", "-XX:+AlwaysPreTouch"})
public class TangentPartBenchmark {

  /** Rows of the activation sweep's blocks: its op's 320 KB block buffers at 2500 columns. */
  private static final int BLOCK_ROWS = 16;

  /** Which pass (see the class comment). */
  @Param({"sparseForward", "sparseTranspose", "activationTangent", "activationAdjointTangent"})
  public String pass;

  /** The samples: {@code mnist} (the first training images) or {@code random} (MNIST-like). */
  @Param({"mnist"})
  public String data;

  /** Samples in the part: TwoLayerNet's part for 784-50-10 with 50 directions. */
  @Param({"7456"})
  public int part;

  /** Directions. */
  @Param({"50"})
  public int m;

  private int q;
  private int n;
  private CsrMatrix x;
  private double[] w1Dot;
  private double[] b1Dot;
  private double[] z1Dot;
  private double[] z1BarDot;
  private double[] w1BarDot;
  private double[] sums;
  private double[] first;
  private double[] curvature;
  private double[] w2;
  private double[] w2T;
  private double[] w2DotT;
  private double[] yBar;
  private double[] yBarDot;
  private double[] yDot;
  private double[][] blockTangents;

  /** Builds the part's samples and the operands of the four passes. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    NetworkConfig config = Presets.mnist();
    q = config.hidden();
    n = config.outputs();
    Random rnd = new Random(11);
    Dataset d = NetProblem.samples(data, part, config, rnd);
    x = CsrMatrix.fromDense(d.x(), part, config.inputs());
    int width = q * m;
    w1Dot = NetProblem.gaussian(rnd, config.inputs() * width, 1.0);
    b1Dot = NetProblem.gaussian(rnd, width, 1.0);
    z1Dot = NetProblem.gaussian(rnd, part * width, 1.0);
    z1BarDot = NetProblem.gaussian(rnd, part * width, 1.0);
    w1BarDot = new double[config.inputs() * width];
    sums = new double[width];
    first = new double[part * q];
    for (int i = 0; i < first.length; i++) {
      first[i] = 0.25 * (1.0 - rnd.nextDouble()); // (0, 1/4], like s (1 - s)
    }
    curvature = NetProblem.gaussian(rnd, part * q, 0.1);
    w2 = NetProblem.gaussian(rnd, q * n, 0.1);
    w2T = new double[n * q]; // W2^T, as the op hands it to the reverse sweep
    Kernels.transpose(q, n, w2, 0, n, w2T, 0, q);
    w2DotT = NetProblem.gaussian(rnd, n * width, 1.0);
    yBar = NetProblem.gaussian(rnd, part * n, 1e-4);
    yBarDot = NetProblem.gaussian(rnd, part * m * n, 1e-4);
    yDot = new double[part * m * n];
    blockTangents = new double[Parallel.threads()][BLOCK_ROWS * width];
    System.out.println("# kernels: " + Kernels.implementationName() + ", sparse: "
        + SparseKernels.selected().name() + ", threads: " + Parallel.threads() + ", part: "
        + part + ", data: " + data + ", stored entries: " + x.nonZeros());
  }

  /** One pass of the part. */
  @Benchmark
  public double[] run() {
    switch (pass) {
      case "sparseForward":
        x.multiplyAffine(w1Dot, q * m, b1Dot, z1Dot);
        return z1Dot;
      case "sparseTranspose":
        x.multiplyTransposedWithColumnSums(z1BarDot, q * m, w1BarDot, sums);
        return w1BarDot;
      case "activationTangent":
        Kernels.activationTangent(part, q, m, n, first, 0, z1Dot, 0, w2, 0, yDot, 0);
        return yDot;
      case "activationAdjointTangent":
        int shares = Parallel.threads();
        Parallel.forEachChunk(shares, t -> {
          int end = Parallel.bandStart(part, t + 1, shares);
          for (int r0 = Parallel.bandStart(part, t, shares); r0 < end; r0 += BLOCK_ROWS) {
            int rows = Math.min(BLOCK_ROWS, end - r0);
            Kernels.activationAdjointTangent(rows, q, m, n, yBarDot, r0 * m * n, w2T, 0, yBar,
                r0 * n, w2DotT, 0, first, r0 * q, curvature, r0 * q, z1Dot, r0 * m * q,
                z1BarDot, r0 * m * q, false, blockTangents[t], 0);
          }
        });
        return z1BarDot;
      default:
        throw new IllegalArgumentException("-p pass=" + pass + ": expected sparseForward, "
            + "sparseTranspose, activationTangent or activationAdjointTangent");
    }
  }
}
